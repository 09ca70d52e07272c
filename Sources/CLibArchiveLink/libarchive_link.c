// libarchive's pax writer reports a file type it cannot store through an internal helper that lives in
// archive_write_set_format.o, the object that also holds the table of every writer by format code. Linked from the
// static archive, that table pulls in every writer, xar's among them, and xar's needs libxml2 — a shared object
// that loads ICU's libraries at every start of swift-r2d. Defining the helper here satisfies the pax writer, so the
// linker never extracts the table (swift-r2d selects its writers by function, never by code or name).
//
// The signature is libarchive's (archive_write_private.h, unchanged since 3.0); the message is ours.
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>

void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *entry, const char *format);

void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *entry, const char *format) {
    const char *path = archive_entry_pathname(entry);
    // EILSEQ is what libarchive's ARCHIVE_ERRNO_FILE_FORMAT (a private header) means on Linux.
    archive_set_error(a, EILSEQ, "%s: the %s format cannot store a file of type 0%o",
                      path != NULL ? path : "(unnamed entry)", format != NULL ? format : "chosen",
                      (unsigned int)archive_entry_filetype(entry));
}
