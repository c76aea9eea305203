// Placeholder entry so the skeleton links; the command table lands with the CLI work.
#include <cstdio>
int main() { std::puts("sigil " SIGIL_VERSION); return 0; }
