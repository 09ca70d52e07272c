#ifndef CLIBARCHIVELINK_H
#define CLIBARCHIVELINK_H
// Nothing to import: this target only adds a definition to the link (see libarchive_link.c).
#endif
