# shellcheck shell=bash
# What a portable release binary may link: glibc's libraries, libstdc++ and
# libgcc_s, which every glibc system has. Sourced by script/release (which
# refuses to pack anything else) and script/release-check (which proves it).

# Prints each library `binary` links beyond those, one per line.
unexpected_libraries() {
  local allowed='^(linux-vdso|linux-gate|ld-linux[^ ]*|libc|libm|libdl|libpthread|librt|libutil|libresolv|libstdc\+\+|libgcc_s)\.so'
  ldd "$1" | awk '{print $1}' | sed 's|.*/||' | grep -Ev "$allowed" || true
}
