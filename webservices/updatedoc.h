/*
 * updatedoc.h - a whole WSUS update document (what an upstream server
 * delivers through MS-WSUSSS GetUpdateData) turned into what the store
 * imports: identity, kind, relationships, files, and the three MS-WUSP
 * metadata fragments (Core, Extended, one LocalizedProperties per
 * language) written exactly as a real WSUS writes them (MS-WUSP 3.1.1.1).
 */
#ifndef WSUSD_UPDATEDOC_H
#define WSUSD_UPDATEDOC_H

#include <stddef.h>

#include "store.h"

struct updatedoc;   /* owns all memory the store_import points into */

/*
 * updatedoc_parse - parse (xml, len), a document whose root is
 * <upd:Update>, under the update-document limits (see updatedoc.c), and
 * derive everything store_import_batch needs.  Returns a handle owned by
 * the caller (updatedoc_free), or NULL with the reason in err.
 */
struct updatedoc *updatedoc_parse(const char *xml, size_t len, char *err,
    size_t errlen);

/*
 * updatedoc_import - the derived revision: update_id canonical lowercase,
 * revision_number, kind (Properties/@UpdateType), category_type
 * (HandlerSpecificData/CategoryInformation/@CategoryType for categories,
 * else ""), title (the "en" Title, else the first), the fragments,
 * prerequisites (grp 0 for a direct UpdateIdentity, 1..n per AtLeastOne),
 * bundled and superseded update ids, and files with decoded digests.
 * Every pointer in it lives as long as d.
 */
const struct store_import *updatedoc_import(const struct updatedoc *d);

void updatedoc_free(struct updatedoc *d);   /* accepts NULL */

#endif
