#ifndef CLIBGIT2_SHIM_H
#define CLIBGIT2_SHIM_H
#include <git2.h>

// Swift cannot call C variadic functions, so the git_libgit2_opts calls we need are wrapped here.
static inline int r2d_git_set_ssl_cert_file(const char *file) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL);
}
static inline int r2d_git_set_ssl_cert_dir(const char *dir) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, NULL, dir);
}
// With mbedTLS each call replaces the trusted chain (a file wins over a dir), so both are passed in one call.
static inline int r2d_git_set_ssl_cert_locations(const char *file, const char *dir) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, dir);
}
static inline int r2d_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
#endif
