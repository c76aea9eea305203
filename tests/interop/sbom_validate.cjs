// Validates SBOM files with the validators named in ../shared/testdata/README.md:
// CycloneDX with @cyclonedx/cyclonedx-library's JsonStrictValidator (its bundled schemas) and
// again with ajv against the official schemas in ../shared/testdata/schemas/cyclonedx;
// SPDX 2.3 with ajv's draft 2019-09 validator against ../shared/testdata/schemas/spdx.
// Usage: node sbom_validate.cjs TOOLS_DIR SCHEMAS_DIR FILE...   (prints one line per file;
// exit 0 only when every file is valid)
'use strict';
const fs = require('fs');
const path = require('path');

const [tools, schemas, ...files] = process.argv.slice(2);
const need = (name) => require(path.join(tools, 'node_modules', name));
const CDX = need('@cyclonedx/cyclonedx-library');
const Ajv07 = need('ajv').default;
const Ajv2019 = need('ajv/dist/2019').default;
const addFormats = need('ajv-formats').default || need('ajv-formats');
const addFormats2019 = need('ajv-formats-draft2019');

const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

function cdxSchemaValidator(version) {
  const ajv = new Ajv07({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  addFormats2019(ajv);  // iri-reference, idn-email as the CycloneDX schemas use them
  const dir = path.join(schemas, 'cyclonedx');
  ajv.addSchema(readJson(path.join(dir, 'spdx.schema.json')));
  ajv.addSchema(readJson(path.join(dir, 'jsf-0.82.schema.json')));
  const crypto = path.join(dir, 'cryptography-defs.schema.json');
  if (fs.existsSync(crypto)) ajv.addSchema(readJson(crypto));
  return ajv.compile(readJson(path.join(dir, `bom-${version}.schema.json`)));
}

function spdxValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  addFormats2019(ajv);
  return ajv.compile(readJson(path.join(schemas, 'spdx', 'spdx-2.3.schema.json')));
}

(async () => {
  let failed = 0;
  const cdxSchemas = {};
  let spdx;
  for (const file of files) {
    let problems = [];
    try {
      const text = fs.readFileSync(file, 'utf8');
      const doc = JSON.parse(text);
      if (doc.bomFormat === 'CycloneDX') {
        const v = doc.specVersion;
        const key = 'v' + v.replace('.', 'dot');
        const strict = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version[key] || v);
        const errors = await strict.validate(text);
        if (errors !== null && errors !== undefined) problems.push('cyclonedx-library: ' + JSON.stringify(errors).slice(0, 2000));
        cdxSchemas[v] = cdxSchemas[v] || cdxSchemaValidator(v);
        if (!cdxSchemas[v](doc)) problems.push('schema bom-' + v + ': ' + JSON.stringify(cdxSchemas[v].errors).slice(0, 2000));
      } else if (doc.spdxVersion === 'SPDX-2.3') {
        spdx = spdx || spdxValidator();
        if (!spdx(doc)) problems.push('spdx-2.3 schema: ' + JSON.stringify(spdx.errors).slice(0, 2000));
      } else {
        problems.push('neither CycloneDX nor SPDX 2.3');
      }
    } catch (e) {
      problems.push(String(e && e.message || e));
    }
    if (problems.length) {
      failed++;
      console.log('FAIL ' + file + ': ' + problems.join(' | '));
    } else {
      console.log('OK ' + file);
    }
  }
  process.exit(failed ? 1 : 0);
})();
