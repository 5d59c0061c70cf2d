#!/usr/bin/env python3
"""gen_catalog.py - a synthetic WSUS catalogue with a realistic shape.

Writes full update documents (the XML an upstream server delivers, the same
shape as the real ff36f0b5 r200 document in tests/data/captures) that
`wsusutil import-updates` loads, the content files their metadata names
(content/XX/SHA1.cab, XX = last SHA-1 byte), and a JSON manifest naming
what was made, for tests and the benchmark:

  company -> product family -> N products      (category chain, IsCategory)
  2 classifications, D detectoids (registry-value rules the scan client
  evaluates), leaf updates (prerequisites: one detectoid, AtLeastOne product),
  every 20th update a bundle of two members, every 10th superseding the one
  before, one file each with SHA-1 and SHA-256.

usage: gen_catalog.py --docs DIR --content DIR --manifest FILE [--updates N]
                      [--products P] [--detectoids D] [--file-size BYTES] [--seed S]
                      [--core-pad BYTES] [--shared-members]

--core-pad adds an always-true rule carrying BYTES of data to every software
update, so that its Core fragment (what SyncUpdates sends) is that much
larger; --shared-members makes every bundle bundle the same two members.
"""
import argparse, base64, hashlib, json, os, random, uuid
from xml.sax.saxutils import escape, quoteattr

NS = ('xmlns:pub="http://schemas.microsoft.com/msus/2002/12/Publishing" '
      'xmlns:bar="http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules" '
      'xmlns:lar="http://schemas.microsoft.com/msus/2002/12/LogicalApplicabilityRules" '
      'xmlns:cmd="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CommandLineInstallation" '
      'xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"')
PUBLISHER = "bccf8ca0-2819-4598-8d15-c1506e363e92"
DETECT_KEY = r"SOFTWARE\Contoso\Detect"


def gid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def doc(uid, kind, title, prereqs=(), at_least_one=(), bundled=(), superseded=(),
        rules="", files=(), category_type=None, description=None):
    rels = ""
    if prereqs or at_least_one:
        rels += "<upd:Prerequisites>"
        rels += "".join('<upd:UpdateIdentity UpdateID="%s" />' % p for p in prereqs)
        for group, is_cat in at_least_one:
            rels += '<upd:AtLeastOne%s>' % (' IsCategory="true"' if is_cat else "")
            rels += "".join('<upd:UpdateIdentity UpdateID="%s" />' % p for p in group)
            rels += "</upd:AtLeastOne>"
        rels += "</upd:Prerequisites>"
    if bundled:
        rels += "<upd:BundledUpdates>" + "".join(
            '<upd:UpdateIdentity UpdateID="%s" RevisionNumber="100" />' % b for b in bundled) + \
            "</upd:BundledUpdates>"
    if superseded:
        rels += "<upd:SupersededUpdates>" + "".join(
            '<upd:UpdateIdentity UpdateID="%s" />' % s for s in superseded) + "</upd:SupersededUpdates>"
    handler = {"Category": "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category",
               "Detectoid": None}.get(kind, "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CommandLineInstallation")
    props = '<upd:Properties UpdateType="%s" DefaultPropertiesLanguage="en"%s%s PublicationState="Published" ' \
            'CreationDate="2026-09-02T08:19:36.080Z" PublisherID="%s">' % (
                kind, ' Handler="%s"' % handler if handler else "",
                ' MaxDownloadSize="%d" MinDownloadSize="0"' % sum(f["size"] for f in files) if files else "",
                PUBLISHER)
    if kind == "Software":
        props += '<upd:InstallationBehavior Impact="Minor" />'
    props += "</upd:Properties>"
    loc = "<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language>" \
          "<upd:Title>%s</upd:Title>%s</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>" % (
              escape(title), "<upd:Description>%s</upd:Description>" % escape(description) if description else "")
    out = '<upd:Update %s><upd:UpdateIdentity UpdateID="%s" RevisionNumber="100" />%s%s' % (NS, uid, props, loc)
    if rels:
        out += "<upd:Relationships>%s</upd:Relationships>" % rels
    if rules:
        out += "<upd:ApplicabilityRules>%s</upd:ApplicabilityRules>" % rules
    if files:
        out += "<upd:Files>" + "".join(
            '<upd:File Digest="%s" DigestAlgorithm="SHA1" FileName=%s Size="%d" Modified="2026-08-18T00:39:04Z">'
            '<upd:AdditionalDigest Algorithm="SHA256">%s</upd:AdditionalDigest></upd:File>' % (
                f["sha1_b64"], quoteattr(f["name"]), f["size"], f["sha256_b64"]) for f in files) + "</upd:Files>"
        out += '<upd:HandlerSpecificData xsi:type="cmd:CommandLineInstallation" ' \
               'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><cmd:InstallCommand Program=%s ' \
               'Arguments="/quiet" xmlns:cmd="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CommandLineInstallation">' \
               '<cmd:ReturnCode Code="0" Result="Succeeded" /><cmd:ReturnCode Code="3010" Result="Succeeded" ' \
               'Reboot="true" /></cmd:InstallCommand></upd:HandlerSpecificData>' % quoteattr(files[0]["name"])
    elif kind == "Category":
        out += '<upd:HandlerSpecificData xsi:type="cat:Category" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' \
               '<cat:CategoryInformation CategoryType="%s" ProhibitsSubcategories="false" ProhibitsUpdates="false" ' \
               'DisplayOrder="0" xmlns:cat="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category" />' \
               '</upd:HandlerSpecificData>' % category_type
    return out + "</upd:Update>"


def make_file(rng, content_dir, name, size):
    data = rng.randbytes(size)
    sha1 = hashlib.sha1(data).digest()
    hexs = sha1.hex().upper()
    folder = os.path.join(content_dir, hexs[-2:])
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, hexs + ".cab")
    with open(path, "wb") as f:
        f.write(data)
    return {"name": name, "size": size, "sha1_hex": hexs,
            "sha1_b64": base64.b64encode(sha1).decode(),
            "sha256_b64": base64.b64encode(hashlib.sha256(data).digest()).decode(),
            "path": "%s/%s.cab" % (hexs[-2:], hexs)}


def installed_rule(uid, pad=0):
    # The scan client models "installed" as a registry value named after the update.
    installable = "<lar:True />"
    if pad:
        installable = '<lar:Or><lar:True /><bar:RegSz Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\\Contoso\\Pad" ' \
                      'Value="pad" Comparison="EqualTo" Data="%s" /></lar:Or>' % ("p" * pad)
    return '<upd:IsInstalled><bar:RegValueExists Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\\Contoso\\Installed" ' \
           'Value="%s" Type="REG_SZ" /></upd:IsInstalled><upd:IsInstallable>%s</upd:IsInstallable>' % (uid, installable)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", required=True)
    ap.add_argument("--content", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--updates", type=int, default=100)
    ap.add_argument("--products", type=int, default=4)
    ap.add_argument("--detectoids", type=int, default=3)
    ap.add_argument("--file-size", type=int, default=2048)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--core-pad", type=int, default=0)
    ap.add_argument("--shared-members", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.docs, exist_ok=True)
    os.makedirs(a.content, exist_ok=True)
    docs, man = [], {"categories": [], "products": [], "classifications": [], "detectoids": [],
                     "updates": [], "bundles": [], "members": []}

    company, family = gid(rng), gid(rng)
    docs.append((company, doc(company, "Category", "Contoso", category_type="Company",
                              rules="<upd:IsInstalled><lar:True /></upd:IsInstalled>")))
    docs.append((family, doc(family, "Category", "Contoso Suite", category_type="ProductFamily",
                             at_least_one=[([company], True)],
                             rules="<upd:IsInstalled><lar:True /></upd:IsInstalled>")))
    man["categories"] += [company, family]
    for i in range(a.products):
        p = gid(rng)
        docs.append((p, doc(p, "Category", "Contoso Product %d" % i, category_type="Product",
                            at_least_one=[([family], True)],
                            rules="<upd:IsInstalled><lar:True /></upd:IsInstalled>")))
        man["products"].append(p)
    for name in ("Security Updates", "Critical Updates"):
        c = gid(rng)
        docs.append((c, doc(c, "Category", name, category_type="UpdateClassification",
                            rules="<upd:IsInstalled><lar:True /></upd:IsInstalled>")))
        man["classifications"].append(c)
    for i in range(a.detectoids):
        d = gid(rng)
        rule = '<upd:IsInstalled><bar:RegValueExists Key="HKEY_LOCAL_MACHINE" Subkey="%s" Value="d%d" ' \
               'Type="REG_DWORD" /></upd:IsInstalled>' % (DETECT_KEY.replace("\\", "\\"), i)
        docs.append((d, doc(d, "Detectoid", "Contoso detectoid %d" % i, rules=rule)))
        man["detectoids"].append({"id": d, "value": "d%d" % i})

    prev = None
    for i in range(a.updates):
        u = gid(rng)
        det = man["detectoids"][i % a.detectoids]["id"]
        prod = man["products"][i % a.products]
        cls = man["classifications"][i % 2]
        members = []
        if i % 20 == 19 and a.shared_members and man["bundles"]:
            members = [e["members"] for e in man["updates"] if e["id"] == man["bundles"][0]][0]
        elif i % 20 == 19:
            for k in range(2):
                m = gid(rng)
                f = make_file(rng, a.content, "KB%d-part%d.cab" % (500000 + i, k), a.file_size)
                docs.append((m, doc(m, "Software", "Contoso KB%d part %d" % (500000 + i, k),
                                    rules=installed_rule(m, a.core_pad), files=[f])))
                man["members"].append({"id": m, "bundle": u, "file": f})
                members.append(m)
        f = None if members else make_file(rng, a.content, "KB%d.cab" % (500000 + i), a.file_size)
        sup = [prev] if (i % 10 == 9 and prev) else []
        docs.append((u, doc(u, "Software", "Contoso Update KB%d" % (500000 + i),
                            description="Synthetic update %d for wsusd tests" % i,
                            prereqs=[det], at_least_one=[([prod], True), ([cls], True)],
                            bundled=members, superseded=sup, rules=installed_rule(u, a.core_pad),
                            files=[f] if f else [])))
        entry = {"id": u, "detectoid": det, "product": prod, "bundle": bool(members),
                 "members": members, "file": f, "supersedes": sup}
        man["updates"].append(entry)
        if members:
            man["bundles"].append(u)
        prev = u
    for n, (uid, text) in enumerate(docs):
        with open(os.path.join(a.docs, "%06d-%s.xml" % (n, uid)), "w") as fh:
            fh.write(text)
    man["documents"] = len(docs)
    with open(a.manifest, "w") as fh:
        json.dump(man, fh, indent=1)


if __name__ == "__main__":
    main()
