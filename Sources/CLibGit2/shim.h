#ifndef CLIBGIT2_SHIM_H
#define CLIBGIT2_SHIM_H
#include <git2.h>
#include <sys/syscall.h>
#include <unistd.h>

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
// The work-tree check (R2DGit's CleanCheckout, which reads git's index the way libgit2 does) lists directories
// with getdents64, which glibc declares only under _GNU_SOURCE; `syscall` is variadic, hence this wrapper.
static inline long r2d_getdents64(int fd, void *buffer, unsigned long length) {
    return syscall(SYS_getdents64, fd, buffer, length);
}
#endif
