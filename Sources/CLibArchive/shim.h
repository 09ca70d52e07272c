#ifndef CLIBARCHIVE_SHIM_H
#define CLIBARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

// archive_entry.h defines the AE_IF* file types as casts, which Swift does not import; these constants do.
static const unsigned int CLIBARCHIVE_AE_IFREG = AE_IFREG;
static const unsigned int CLIBARCHIVE_AE_IFDIR = AE_IFDIR;
static const unsigned int CLIBARCHIVE_AE_IFLNK = AE_IFLNK;
static const unsigned int CLIBARCHIVE_AE_IFSOCK = AE_IFSOCK;
#endif
