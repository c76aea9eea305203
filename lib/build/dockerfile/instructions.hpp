// Typed instructions, one struct per Dockerfile keyword, as BuildKit's
// frontend/dockerfile/instructions package types them. Values are NOT expanded: words keep
// their `$VAR` references (and, for ENV/LABEL/ARG values, their quotes) until the planner
// expands them with the stage's scope (see scope.hpp and shell_lex.hpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "build/dockerfile/ast.hpp"
#include "common/error.hpp"

namespace sigil::build::dockerfile {

/// `FROM [--platform=P] image [AS name]`.
struct FromInstruction {
  std::string image;     ///< base: image reference, "scratch" or an earlier stage's name
  std::string name;      ///< stage name lower-cased ("" when no AS)
  std::string platform;  ///< --platform value as written ("" when absent)
};

/// An inline source of COPY/ADD written as a heredoc (`COPY <<EOF /dest`).
struct InlineSource {
  std::string name;  ///< the heredoc's delimiter, also the file's name under a directory dest
  std::string data;  ///< body, chomped when `<<-`
  bool expand = true;  ///< expand variables in `data` (expand_heredoc) at build time
};

/// `COPY [--from=S] [--chown=U:G] [--chmod=M] [--link] [--parents] [--exclude=P]... src... dest`.
struct CopyInstruction {
  std::vector<std::string> sources;  ///< source paths (heredoc sources are in `inline_sources`)
  std::vector<InlineSource> inline_sources;
  std::string dest;
  std::string from;  ///< stage name, stage index or image reference ("" = build context)
  std::string chown;
  std::string chmod;
  bool link = false;
  bool parents = false;
  std::vector<std::string> excludes;  ///< in order given
  bool json = false;                   ///< written as a JSON array
};

/// `ADD [--chown] [--chmod] [--link] [--exclude=P]... [--checksum=D] [--keep-git-dir] src... dest`.
struct AddInstruction {
  std::vector<std::string> sources;
  std::vector<InlineSource> inline_sources;
  std::string dest;
  std::string chown;
  std::string chmod;
  bool link = false;
  bool keep_git_dir = false;
  std::string checksum;  ///< "sha256:<hex>" as written ("" when absent)
  std::vector<std::string> excludes;
  bool json = false;
};

/// A command line of RUN/CMD/ENTRYPOINT: exec form (JSON) or shell form (one string).
struct CommandLine {
  std::vector<std::string> args;  ///< JSON: the array; shell form: one element (the text)
  bool prepend_shell = false;     ///< shell form: run as SHELL + [text]
};

/// `RUN [--mount=...]... [--network=N] [--security=S] command` (executed by a later issue).
struct RunInstruction {
  CommandLine command;
  std::vector<Heredoc> files;  ///< heredocs (`RUN <<EOF`), unchomped; see heredoc_body()
  std::vector<std::string> mounts;  ///< --mount values in order, unparsed
  std::string network;              ///< --network value ("" when absent)
  std::string security;             ///< --security value ("" when absent)
};

/// `CMD`: an empty JSON array sets an empty Cmd.
struct CmdInstruction {
  CommandLine command;
};

/// `ENTRYPOINT`: an empty JSON array (`ENTRYPOINT []`) clears the Entrypoint (`null`).
struct EntrypointInstruction {
  CommandLine command;
};

/// One `key=value` of ENV or LABEL. Key and value keep their quotes and `$` references: BuildKit
/// expands both (expand_word) with the stage scope before using them.
struct KeyValue {
  std::string key;
  std::string value;
  bool legacy_form = false;  ///< written `ENV key value` (no '=')
};

/// `ENV k=v ...` or legacy `ENV k v`.
struct EnvInstruction {
  std::vector<KeyValue> vars;
};

/// `LABEL k=v ...`.
struct LabelInstruction {
  std::vector<KeyValue> labels;
};

/// One declaration of `ARG name[=default]`.
struct ArgDeclaration {
  std::string name;
  std::optional<std::string> default_value;  ///< raw, expanded when the ARG is evaluated
};

/// `ARG a [b=1]...`.
struct ArgInstruction {
  std::vector<ArgDeclaration> args;
};

/// `EXPOSE 80 443/tcp ...` (each word is expanded and may split into several ports).
struct ExposeInstruction {
  std::vector<std::string> ports;
};

/// `USER name[:group]`.
struct UserInstruction {
  std::string user;
};

/// `WORKDIR path`.
struct WorkdirInstruction {
  std::string path;
};

/// `SHELL ["exe", "arg"...]` (JSON form only).
struct ShellInstruction {
  std::vector<std::string> shell;
};

/// `STOPSIGNAL signal`.
struct StopsignalInstruction {
  std::string signal;
};

/// `HEALTHCHECK NONE` or `HEALTHCHECK [--interval ...] CMD command`.
struct HealthcheckInstruction {
  /// {"NONE"}, {"CMD", exec args...} or {"CMD-SHELL", "text"}, as the image config stores it.
  std::vector<std::string> test;
  std::chrono::nanoseconds interval{0};        ///< 0 = inherit / default
  std::chrono::nanoseconds timeout{0};
  std::chrono::nanoseconds start_period{0};
  std::chrono::nanoseconds start_interval{0};
  int retries = 0;  ///< 0 = inherit / default
};

/// `VOLUME ["/a", "/b"]` or `VOLUME /a /b`.
struct VolumeInstruction {
  std::vector<std::string> volumes;
};

/// `ONBUILD <instruction>`; the trigger is stored as text, as the image config's OnBuild does.
struct OnbuildInstruction {
  std::string expression;  ///< the trigger as written, without the ONBUILD keyword
                           ///< (heredoc bodies appended as BuildKit does)
  std::string trigger;     ///< the trigger's keyword, upper-cased ("RUN")
};

/// `MAINTAINER name` (deprecated; becomes the config's author).
struct MaintainerInstruction {
  std::string maintainer;
};

using InstructionValue =
    std::variant<FromInstruction, CopyInstruction, AddInstruction, RunInstruction, CmdInstruction,
                 EntrypointInstruction, EnvInstruction, LabelInstruction, ArgInstruction,
                 ExposeInstruction, UserInstruction, WorkdirInstruction, ShellInstruction,
                 StopsignalInstruction, HealthcheckInstruction, VolumeInstruction,
                 OnbuildInstruction, MaintainerInstruction>;

/// A typed instruction with where it came from.
struct Instruction {
  InstructionValue value;
  std::string keyword;   ///< upper-cased ("COPY")
  std::string original;  ///< the logical line as written (for history's created_by)
  SourceLocation location;
};

/// Types one AST node. Errors (category input) are located with located_error(): unknown
/// instruction (with a "did you mean" hint), unknown or repeated flag, missing or extra
/// arguments, non-JSON where JSON is required, bad durations, refused ONBUILD triggers.
/// `text` is the whole Dockerfile (for the quoted line in errors).
[[nodiscard]] Result<Instruction> parse_instruction(const Node& node, std::string_view filename,
                                                    std::string_view text);

}  // namespace sigil::build::dockerfile
