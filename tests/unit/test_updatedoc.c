/*
 * test_updatedoc.c - store/updatedoc.c against the real thing: the
 * update document a real WSUS received for ff36f0b5 r200 and the Core,
 * Extended and LocalizedProperties fragments that same WSUS then served
 * to a Windows client (captures/wsus-rs/update-doc-and-fragments/), byte
 * for byte; then a category and a bundle written here to cover what that
 * document lacks (b./m./d. prefixes, default-valued attributes, AtLeastOne
 * groups, bundles, supersedence, several languages), and refusals.
 *
 * Runs from the repository root; the captures are in tests/data/captures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "t.h"

#define CAPDIR "tests/data/captures/wsus-rs/update-doc-and-fragments/"
#define REAL   "ff36f0b5-dded-4780-8664-cd78af8b62c1-r200"
#define FILE_MAX (1u << 20)

/* read_file - the whole of path into a malloc'd, NUL-terminated buffer. */
static char *
read_file(const char *path, size_t *len)
{
	FILE  *f;
	char  *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, FILE_MAX, f);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Show where two texts part, for a failure message. */
static void
show_diff(const char *what, const char *got, size_t glen, const char *want,
    size_t wlen)
{
	size_t i = 0;

	while (i < glen && i < wlen && got[i] == want[i])
		i++;
	fprintf(stderr, "  %s differs at byte %zu (got %zu bytes, want %zu)\n"
	    "  got:  %.80s\n  want: %.80s\n", what, i, glen, wlen,
	    got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
}

static int
same(const char *what, const char *got, size_t glen, const char *want,
    size_t wlen)
{
	if (got != NULL && glen == wlen && memcmp(got, want, wlen) == 0)
		return 1;
	if (got != NULL)
		show_diff(what, got, glen, want, wlen);
	return 0;
}

static int
hex_is(const uint8_t *p, size_t n, const char *hex)
{
	char   buf[2 * 64 + 1];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	return strcmp(buf, hex) == 0;
}

/* --- the real document -------------------------------------------------------- */

static void
test_real(void)
{
	static const char *const prereq[] = {
		"be4048db-157c-4532-9582-7f05099590c9",
		"59653007-e2e9-4f71-8525-2ff588527978",
		"0aac58ee-82a0-4452-a7fa-19f68398f1fa",
		"8c3fcc84-7410-4a95-8b89-a166a0190486",
	};
	char                      *doc, *core, *ext, *loc, *spaced;
	size_t                     dlen, clen, elen, llen, i, j;
	struct updatedoc          *d, *d2;
	const struct store_import *u, *u2;
	char                       err[256];

	doc = read_file(CAPDIR REAL ".xml", &dlen);
	core = read_file(CAPDIR REAL ".core.xml", &clen);
	ext = read_file(CAPDIR REAL ".extended.xml", &elen);
	loc = read_file(CAPDIR REAL ".localized-en.xml", &llen);
	if (doc == NULL || core == NULL || ext == NULL || loc == NULL) {
		T_OK(0, "fixtures missing: run from the repository root "
		    "(%s)", CAPDIR);
		goto out;
	}
	d = updatedoc_parse(doc, dlen, err, sizeof(err));
	T_OK(d != NULL, "real document refused: %s", err);
	if (d == NULL)
		goto out;
	u = updatedoc_import(d);
	T_OK(same("core", u->core, u->core_len, core, clen),
	    "Core fragment differs from real WSUS");
	T_OK(same("extended", u->extended, u->extended_len, ext, elen),
	    "Extended fragment differs from real WSUS");
	T_OK(u->nloc == 1, "nloc %u", u->nloc);
	if (u->nloc == 1) {
		T_OK(strcmp(u->loc[0].lang, "en") == 0, "lang %s",
		    u->loc[0].lang);
		T_OK(same("localized", u->loc[0].xml, u->loc[0].len, loc, llen),
		    "LocalizedProperties fragment differs from real WSUS");
	}
	T_OK(strcmp(u->update_id, "ff36f0b5-dded-4780-8664-cd78af8b62c1") == 0,
	    "update id %s", u->update_id);
	T_OK(u->revision_number == 200, "revision %d", u->revision_number);
	T_OK(u->kind == STORE_KIND_SOFTWARE, "kind %d", (int)u->kind);
	T_OK(u->category_type[0] == '\0', "category type %s", u->category_type);
	T_OK(strcmp(u->title, "AM Engine 1.1.26080.3 for Defender amd64fre "
	    "Broad") == 0, "title %s", u->title);
	T_OK(u->nprereq == 4, "nprereq %u", u->nprereq);
	for (i = 0; i < u->nprereq && i < 4; i++) {
		T_OK(strcmp(u->prereq[i].update_id, prereq[i]) == 0,
		    "prereq %zu %s", i, u->prereq[i].update_id);
		T_OK(u->prereq[i].grp == (i < 3 ? 0 : 1), "prereq %zu grp %d",
		    i, u->prereq[i].grp);
		T_OK(u->prereq[i].is_category == 0, "prereq %zu is_category", i);
	}
	T_OK(u->nbundled == 0 && u->nsuperseded == 0, "bundled %u superseded %u",
	    u->nbundled, u->nsuperseded);
	T_OK(u->nfiles == 1, "nfiles %u", u->nfiles);
	if (u->nfiles == 1) {
		/* vXidQqLgJwCO4+fE++5nIN1txMk= and FX0fJz39...Y+c= */
		T_OK(hex_is(u->files[0].sha1, 20,
		    "bd789d42a2e027008ee3e7c4fbee6720dd6dc4c9"), "sha1");
		T_OK(u->files[0].has_sha256 && hex_is(u->files[0].sha256, 32,
		    "157d1f273dfdd4105014a80a9c579eed27ade058a433a79bbda207929b9763e7"),
		    "sha256");
		T_OK(strcmp(u->files[0].name, "AM_Engine.exe") == 0, "name %s",
		    u->files[0].name);
		T_OK(u->files[0].size == 6662560, "size %llu",
		    (unsigned long long)u->files[0].size);
		T_OK(strcmp(u->files[0].modified, "2026-08-18T00:39:04Z") == 0,
		    "modified %s", u->files[0].modified);
	}

	/* The same document pretty-printed gives the same fragments. */
	if ((spaced = malloc(dlen * 4 + 1)) != NULL) {
		for (i = j = 0; i < dlen; i++) {
			spaced[j++] = doc[i];
			if (doc[i] == '>' && i + 1 < dlen && doc[i + 1] == '<') {
				memcpy(spaced + j, "\n\t ", 3);
				j += 3;
			}
		}
		d2 = updatedoc_parse(spaced, j, err, sizeof(err));
		T_OK(d2 != NULL, "indented document refused: %s", err);
		if (d2 != NULL) {
			u2 = updatedoc_import(d2);
			T_OK(same("core (indented)", u2->core, u2->core_len, core,
			    clen), "indented Core differs");
			T_OK(same("extended (indented)", u2->extended,
			    u2->extended_len, ext, elen), "indented Extended differs");
			T_OK(u2->nloc == 1 && same("localized (indented)",
			    u2->loc[0].xml, u2->loc[0].len, loc, llen),
			    "indented LocalizedProperties differs");
		}
		updatedoc_free(d2);
		free(spaced);
	}
	updatedoc_free(d);
out:
	free(doc);
	free(core);
	free(ext);
	free(loc);
}

/* --- a category ------------------------------------------------------------------ */

#define NS "http://schemas.microsoft.com/msus/2002/12/"

static const char category_doc[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<upd:Update xmlns:pub=\"" NS "Publishing\" xmlns:cat=\"" NS
    "UpdateHandlers/Category\" xmlns:upd=\"" NS "Update\">"
    "<upd:UpdateIdentity UpdateID=\"A4BEDB1D-A809-4F63-9B49-3FE31967B6D0\" "
    "RevisionNumber=\"104\" />"
    "<upd:Properties UpdateType=\"Category\" ExplicitlyDeployable=\"false\" "
    "AutoSelectOnWebSites=\"false\" DefaultPropertiesLanguage=\"en\" "
    "PerUser=\"false\" IsPublic=\"true\" PublicationState=\"Published\" "
    "CreationDate=\"2026-01-01T00:00:00.000Z\" "
    "PublisherID=\"395392a0-19c0-48b7-a927-f7c15066d905\" />"
    "<upd:LocalizedPropertiesCollection>"
    "<upd:LocalizedProperties><upd:Language>de</upd:Language>"
    "<upd:Title>Windows 11 &amp; Co</upd:Title></upd:LocalizedProperties>"
    "<upd:LocalizedProperties><upd:Language>en</upd:Language>"
    "<upd:Title>Windows 11</upd:Title>"
    "<upd:Description>Windows 11 \"client\" &lt;all&gt; &#x2713;</upd:Description>"
    "</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>"
    "<upd:Relationships><upd:Prerequisites><upd:AtLeastOne IsCategory=\"true\">"
    "<upd:UpdateIdentity UpdateID=\"6964aab4-c5b5-43bd-a17d-ffb4346a8e1d\" />"
    "</upd:AtLeastOne></upd:Prerequisites></upd:Relationships>"
    "<upd:HandlerSpecificData xsi:type=\"cat:Category\" "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
    "<cat:CategoryInformation CategoryType=\"Product\" "
    "ProhibitsSubcategories=\"true\" ProhibitsUpdates=\"false\" "
    "DisplayOrder=\"0\" ExcludedByDefault=\"false\" />"
    "</upd:HandlerSpecificData></upd:Update>";

static void
test_category(void)
{
	static const char core[] =
	    "<UpdateIdentity UpdateID=\"A4BEDB1D-A809-4F63-9B49-3FE31967B6D0\" "
	    "RevisionNumber=\"104\" /><Properties UpdateType=\"Category\" />"
	    "<Relationships><Prerequisites><AtLeastOne IsCategory=\"true\">"
	    "<UpdateIdentity UpdateID=\"6964aab4-c5b5-43bd-a17d-ffb4346a8e1d\" />"
	    "</AtLeastOne></Prerequisites></Relationships>";
	static const char ext[] =
	    "<ExtendedProperties DefaultPropertiesLanguage=\"en\" />"
	    "<HandlerSpecificData type=\"cat:Category\"><CategoryInformation "
	    "CategoryType=\"Product\" ProhibitsSubcategories=\"true\" "
	    "ProhibitsUpdates=\"false\" DisplayOrder=\"0\" "
	    "ExcludedByDefault=\"false\" /></HandlerSpecificData>";
	static const char de[] =
	    "<LocalizedProperties><Language>de</Language>"
	    "<Title>Windows 11 &amp; Co</Title></LocalizedProperties>";
	static const char en[] =
	    "<LocalizedProperties><Language>en</Language><Title>Windows 11</Title>"
	    "<Description>Windows 11 \"client\" &lt;all&gt; \xe2\x9c\x93</Description>"
	    "</LocalizedProperties>";
	struct updatedoc          *d;
	const struct store_import *u;
	char                       err[256];

	d = updatedoc_parse(category_doc, sizeof(category_doc) - 1, err,
	    sizeof(err));
	T_OK(d != NULL, "category refused: %s", err);
	if (d == NULL)
		return;
	u = updatedoc_import(d);
	T_OK(same("core", u->core, u->core_len, core, sizeof(core) - 1),
	    "category Core");
	T_OK(same("extended", u->extended, u->extended_len, ext,
	    sizeof(ext) - 1), "category Extended");
	T_OK(u->nloc == 2, "nloc %u", u->nloc);
	if (u->nloc == 2) {
		T_OK(strcmp(u->loc[0].lang, "de") == 0 &&
		    same("de", u->loc[0].xml, u->loc[0].len, de, sizeof(de) - 1),
		    "de fragment");
		T_OK(strcmp(u->loc[1].lang, "en") == 0 &&
		    same("en", u->loc[1].xml, u->loc[1].len, en, sizeof(en) - 1),
		    "en fragment");
	}
	T_OK(strcmp(u->update_id, "a4bedb1d-a809-4f63-9b49-3fe31967b6d0") == 0,
	    "update id %s (want lowercase)", u->update_id);
	T_OK(u->revision_number == 104, "revision %d", u->revision_number);
	T_OK(u->kind == STORE_KIND_CATEGORY, "kind %d", (int)u->kind);
	T_OK(strcmp(u->category_type, "Product") == 0, "category type %s",
	    u->category_type);
	T_OK(strcmp(u->title, "Windows 11") == 0, "title %s (want the en one)",
	    u->title);
	T_OK(u->nprereq == 1 && u->prereq[0].grp == 1 &&
	    u->prereq[0].is_category == 1 && strcmp(u->prereq[0].update_id,
	    "6964aab4-c5b5-43bd-a17d-ffb4346a8e1d") == 0,
	    "category prerequisite");
	T_OK(u->nfiles == 0 && u->nbundled == 0 && u->nsuperseded == 0,
	    "no files, bundles, supersedence");
	updatedoc_free(d);
}

/* --- a bundle ---------------------------------------------------------------------- */

static const char bundle_doc[] =
    "<upd:Update xmlns:bar=\"" NS "BaseApplicabilityRules\" "
    "xmlns:lar=\"" NS "LogicalApplicabilityRules\" "
    "xmlns:msiar=\"" NS "MsiApplicabilityRules\" xmlns:upd=\"" NS "Update\">"
    "<upd:UpdateIdentity UpdateID=\"11111111-2222-3333-4444-55555555AAAA\" "
    "RevisionNumber=\"201\" />"
    "<upd:Properties UpdateType=\"Software\" DefaultPropertiesLanguage=\"en\" "
    "EulaID=\"e6b0b8f0-0000-4000-8000-000000000001\" "
    "ExplicitlyDeployable=\"true\" AutoSelectOnWebSites=\"true\" "
    "MaxDownloadSize=\"10\" MinDownloadSize=\"5\" PerUser=\"true\" "
    "LegacyName=\"KB1-x64\" PublicationState=\"Published\" "
    "CreationDate=\"2026-01-01T00:00:00.000Z\" "
    "PublisherID=\"395392a0-19c0-48b7-a927-f7c15066d905\">"
    "<upd:InstallationBehavior RebootBehavior=\"CanRequestReboot\" />"
    "<upd:UninstallationBehavior /></upd:Properties>"
    "<upd:LocalizedPropertiesCollection><upd:LocalizedProperties>"
    "<upd:Language>fr</upd:Language><upd:Title>Mise \xc3\xa0 jour</upd:Title>"
    "</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>"
    "<upd:Relationships><upd:Prerequisites>"
    "<upd:UpdateIdentity UpdateID=\"00000000-0000-0000-0000-000000000001\" />"
    "<upd:AtLeastOne><upd:UpdateIdentity "
    "UpdateID=\"00000000-0000-0000-0000-000000000002\" /><upd:UpdateIdentity "
    "UpdateID=\"00000000-0000-0000-0000-000000000003\" /></upd:AtLeastOne>"
    "<upd:AtLeastOne IsCategory=\"false\"><upd:UpdateIdentity "
    "UpdateID=\"00000000-0000-0000-0000-000000000004\" /></upd:AtLeastOne>"
    "</upd:Prerequisites><upd:BundledUpdates>"
    "<upd:UpdateIdentity UpdateID=\"00000000-0000-0000-0000-0000000000B1\" "
    "RevisionNumber=\"101\" /><upd:UpdateIdentity "
    "UpdateID=\"00000000-0000-0000-0000-0000000000B2\" RevisionNumber=\"102\" />"
    "</upd:BundledUpdates><upd:SupersededUpdates><upd:UpdateIdentity "
    "UpdateID=\"00000000-0000-0000-0000-0000000000C1\" />"
    "</upd:SupersededUpdates></upd:Relationships>"
    "<upd:ApplicabilityRules><upd:IsInstalled><lar:And>"
    "<bar:WindowsVersion Comparison=\"GreaterThanOrEqualTo\" MajorVersion=\"10\" />"
    "<msiar:MsiProductInstalled ProductCode=\"{90160000-0011-0000-1000-0000000FF1CE}\" />"
    "</lar:And></upd:IsInstalled><upd:IsInstallable>"
    "<drv:WindowsDriverInstallable xmlns:drv=\"" NS "UpdateHandlers/WindowsDriver\" />"
    "</upd:IsInstallable><upd:Metadata><msiar:MsiPatchMetadata>"
    "<MsiPatch xmlns=\"http://www.microsoft.com/msi/patch_applicability.xsd\" "
    "SchemaVersion=\"1\"><TargetProduct MinMsiVersion=\"3\" /></MsiPatch>"
    "<msiar:FallbackPatchCode>{00000000-0000-0000-0000-000000000000}"
    "</msiar:FallbackPatchCode></msiar:MsiPatchMetadata></upd:Metadata>"
    "</upd:ApplicabilityRules></upd:Update>";

static void
test_bundle(void)
{
	static const char core[] =
	    "<UpdateIdentity UpdateID=\"11111111-2222-3333-4444-55555555AAAA\" "
	    "RevisionNumber=\"201\" /><Properties UpdateType=\"Software\" "
	    "ExplicitlyDeployable=\"true\" AutoSelectOnWebSites=\"true\" "
	    "EulaID=\"e6b0b8f0-0000-4000-8000-000000000001\" />"
	    "<Relationships><Prerequisites>"
	    "<UpdateIdentity UpdateID=\"00000000-0000-0000-0000-000000000001\" />"
	    "<AtLeastOne><UpdateIdentity "
	    "UpdateID=\"00000000-0000-0000-0000-000000000002\" /><UpdateIdentity "
	    "UpdateID=\"00000000-0000-0000-0000-000000000003\" /></AtLeastOne>"
	    "<AtLeastOne IsCategory=\"false\"><UpdateIdentity "
	    "UpdateID=\"00000000-0000-0000-0000-000000000004\" /></AtLeastOne>"
	    "</Prerequisites><BundledUpdates>"
	    "<UpdateIdentity UpdateID=\"00000000-0000-0000-0000-0000000000B1\" "
	    "RevisionNumber=\"101\" /><UpdateIdentity "
	    "UpdateID=\"00000000-0000-0000-0000-0000000000B2\" RevisionNumber=\"102\" />"
	    "</BundledUpdates><SupersededUpdates><UpdateIdentity "
	    "UpdateID=\"00000000-0000-0000-0000-0000000000C1\" />"
	    "</SupersededUpdates></Relationships>"
	    "<ApplicabilityRules><IsInstalled><And>"
	    "<b.WindowsVersion Comparison=\"GreaterThanOrEqualTo\" MajorVersion=\"10\" />"
	    "<m.MsiProductInstalled ProductCode=\"{90160000-0011-0000-1000-0000000FF1CE}\" />"
	    "</And></IsInstalled><IsInstallable><d.WindowsDriverInstallable />"
	    "</IsInstallable><Metadata><m.MsiPatchMetadata>"
	    "<MsiPatch xmlns=\"http://www.microsoft.com/msi/patch_applicability.xsd\" "
	    "SchemaVersion=\"1\"><TargetProduct MinMsiVersion=\"3\" /></MsiPatch>"
	    "<m.FallbackPatchCode>{00000000-0000-0000-0000-000000000000}"
	    "</m.FallbackPatchCode></m.MsiPatchMetadata></Metadata>"
	    "</ApplicabilityRules>";
	static const char ext[] =
	    "<ExtendedProperties DefaultPropertiesLanguage=\"en\" "
	    "MaxDownloadSize=\"10\" MinDownloadSize=\"5\" PerUser=\"true\">"
	    "<InstallationBehavior RebootBehavior=\"CanRequestReboot\" />"
	    "<UninstallationBehavior /></ExtendedProperties>";
	static const struct { const char *id; int grp; } pre[] = {
		{ "00000000-0000-0000-0000-000000000001", 0 },
		{ "00000000-0000-0000-0000-000000000002", 1 },
		{ "00000000-0000-0000-0000-000000000003", 1 },
		{ "00000000-0000-0000-0000-000000000004", 2 },
	};
	struct updatedoc          *d;
	const struct store_import *u;
	char                       err[256];
	unsigned                   i;

	d = updatedoc_parse(bundle_doc, sizeof(bundle_doc) - 1, err, sizeof(err));
	T_OK(d != NULL, "bundle refused: %s", err);
	if (d == NULL)
		return;
	u = updatedoc_import(d);
	T_OK(same("core", u->core, u->core_len, core, sizeof(core) - 1),
	    "bundle Core");
	T_OK(same("extended", u->extended, u->extended_len, ext,
	    sizeof(ext) - 1), "bundle Extended");
	T_OK(strcmp(u->title, "Mise \xc3\xa0 jour") == 0,
	    "title %s (want the first when there is no en)", u->title);
	T_OK(u->nprereq == 4, "nprereq %u", u->nprereq);
	for (i = 0; i < u->nprereq && i < 4; i++)
		T_OK(strcmp(u->prereq[i].update_id, pre[i].id) == 0 &&
		    u->prereq[i].grp == pre[i].grp && !u->prereq[i].is_category,
		    "prereq %u: %s grp %d", i, u->prereq[i].update_id,
		    u->prereq[i].grp);
	T_OK(u->nbundled == 2 && strcmp(u->bundled[0],
	    "00000000-0000-0000-0000-0000000000b1") == 0 &&
	    strcmp(u->bundled[1], "00000000-0000-0000-0000-0000000000b2") == 0,
	    "bundled %u", u->nbundled);
	T_OK(u->nsuperseded == 1 && strcmp(u->superseded[0],
	    "00000000-0000-0000-0000-0000000000c1") == 0,
	    "superseded %u", u->nsuperseded);
	T_OK(u->nfiles == 0, "nfiles %u", u->nfiles);
	updatedoc_free(d);
}

/* --- refusals -------------------------------------------------------------------- */

#define ID  "<upd:UpdateIdentity UpdateID=\"ff36f0b5-dded-4780-8664-cd78af8b62c1\" RevisionNumber=\"1\" />"
#define UPD "<upd:Update xmlns:upd=\"" NS "Update\">"

static const struct {
	int         line;
	const char *doc;
	const char *err;       /* substring of the reason */
} bad[] = {
	{ __LINE__, "<Other />", "not <Update>" },
	{ __LINE__, UPD "</upd:Update>", "no UpdateIdentity" },
	{ __LINE__, UPD "<upd:UpdateIdentity UpdateID=\"{ff36f0b5-dded-4780-8664-cd78af8b62c1}\" "
	    "RevisionNumber=\"1\" /><upd:Properties UpdateType=\"Software\" /></upd:Update>",
	    "not a GUID" },
	{ __LINE__, UPD "<upd:UpdateIdentity UpdateID=\"ff36f0b5-dded-4780-8664-cd78af8b62c1\" "
	    "RevisionNumber=\"-1\" /><upd:Properties UpdateType=\"Software\" /></upd:Update>",
	    "RevisionNumber" },
	{ __LINE__, UPD "<upd:UpdateIdentity UpdateID=\"ff36f0b5-dded-4780-8664-cd78af8b62c1\" "
	    "RevisionNumber=\"99999999999\" /><upd:Properties UpdateType=\"Software\" /></upd:Update>",
	    "RevisionNumber" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Firmware\" /></upd:Update>",
	    "unknown UpdateType" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" /><upd:Relationships>"
	    "<upd:Prerequisites><upd:UpdateIdentity UpdateID=\"x\" /></upd:Prerequisites>"
	    "</upd:Relationships></upd:Update>", "not a GUID" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" /><upd:Files>"
	    "<upd:File Digest=\"vXidQqLgJwCO4+fE++5nIN1txM==\" DigestAlgorithm=\"SHA1\" "
	    "FileName=\"a.exe\" Size=\"1\" /></upd:Files></upd:Update>", "SHA1 Digest" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" /><upd:Files>"
	    "<upd:File Digest=\"vXidQqLgJwCO4+fE++5nIN1txMk=\" DigestAlgorithm=\"MD5\" "
	    "FileName=\"a.exe\" Size=\"1\" /></upd:Files></upd:Update>", "SHA1 Digest" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" /><upd:Files>"
	    "<upd:File Digest=\"vXidQqLgJwCO4+fE++5nIN1txMk=\" DigestAlgorithm=\"SHA1\" "
	    "FileName=\"a.exe\" Size=\"1x\" /></upd:Files></upd:Update>", "bad Size" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" /><upd:Files>"
	    "<upd:File Digest=\"vXidQqLgJwCO4+fE++5nIN1txMk=\" DigestAlgorithm=\"SHA1\" "
	    "FileName=\"a.exe\" Size=\"1\"><upd:AdditionalDigest Algorithm=\"SHA256\">"
	    "AAAA</upd:AdditionalDigest></upd:File></upd:Files></upd:Update>", "SHA256" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" /><upd:HandlerSpecificData "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"a\" type=\"b\" />"
	    "</upd:Update>", "collide" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" />"
	    "<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Title>x</upd:Title>"
	    "</upd:LocalizedProperties></upd:LocalizedPropertiesCollection></upd:Update>",
	    "Language" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" />"
	    "<upd:LocalizedPropertiesCollection><upd:LocalizedProperties>"
	    "<upd:Language>en</upd:Language></upd:LocalizedProperties><upd:LocalizedProperties>"
	    "<upd:Language>en</upd:Language></upd:LocalizedProperties>"
	    "</upd:LocalizedPropertiesCollection></upd:Update>", "twice" },
	{ __LINE__, "<!DOCTYPE u [<!ENTITY e \"x\">]>" UPD ID
	    "<upd:Properties UpdateType=\"Software\" /></upd:Update>", "DOCTYPE" },
	{ __LINE__, UPD ID "<upd:Properties UpdateType=\"Software\" />", "line" },
};

static void
test_refusals(void)
{
	struct updatedoc *d;
	char              err[256];
	size_t            i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(err, 0, sizeof(err));
		d = updatedoc_parse(bad[i].doc, strlen(bad[i].doc), err,
		    sizeof(err));
		T_CHECK(bad[i].line, d == NULL, "accepted");
		T_CHECK(bad[i].line, strstr(err, bad[i].err) != NULL,
		    "reason \"%s\" lacks \"%s\"", err, bad[i].err);
		updatedoc_free(d);
	}
}

int
main(void)
{
	test_real();
	test_category();
	test_bundle();
	test_refusals();
	return t_done("test_updatedoc");
}
