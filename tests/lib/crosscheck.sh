#!/bin/sh
# tests/lib/crosscheck.sh IMAGE SRCDIR - reads a UDF (or UDF+ISO9660) image
# with independent readers installed from Debian and compares what each
# one sees with the source tree: names, types, sizes and sha256 of every
# regular file and directory.  Symlinks, FIFOs and hard links are checked
# by the real-kernel test (tests/vm/t_udf_mount.sh), not here.
#
# Readers: udfinfo (LVID counts), 7-Zip (7zz), udfclient, libudfread (a
# tiny C program built on the fly), pycdlib's UDF side (bridge images with
# a plain partition only: it needs the ISO9660 volume, two anchors and
# the file set descriptor at the partition's start), xorriso and bsdtar
# (ISO9660/Rock Ridge).
# Each reader's known limits (docs: udf-readers.md) are applied explicitly
# and printed: a reader that cannot read a layout says "not applicable"
# with the reason, and names outside a reader's character range are listed
# as excluded for that reader.  A reader missing from the machine makes
# the whole check fail (no silent skip).
# Exit: 0 every applicable reader agrees, 1 a mismatch, 2 usage.
# Option --readers LIST (comma list) runs only those readers; the others
# are printed as "not run (not requested)".
READERS=all
if [ "${1:-}" = --readers ]; then READERS=$2; shift 2; fi
[ $# = 2 ] || { echo "usage: crosscheck.sh [--readers LIST] IMAGE SRCDIR" >&2; exit 2; }
exec python3 - "$1" "$2" "$READERS" <<'PYEOF'
import hashlib, os, struct, subprocess, sys, tempfile, shutil

img, src, wanted = sys.argv[1], sys.argv[2], sys.argv[3]
ALL = ["udfinfo", "7z", "udfclient", "udfread", "pycdlib", "xorriso", "bsdtar"]
wanted = ALL if wanted == "all" else wanted.split(",")
failed = False
work = tempfile.mkdtemp(prefix="crosscheck.")

def say(reader, msg):
    print(f"crosscheck: {reader:10s} {msg}", flush=True)

def fail(reader, msg, details=()):
    global failed
    failed = True
    say(reader, "FAIL " + msg)
    for d in list(details)[:15]:
        print("    " + d)

# ----------------------------------------------------------- the image
f = open(img, "rb")
def blk(n):
    f.seek(n * 2048)
    return f.read(2048)

def layout():
    a = blk(256)
    if len(a) < 32 or struct.unpack_from("<H", a)[0] != 2:
        return None
    ln, loc = struct.unpack_from("<II", a, 16)  # main VDS extent
    maps, rev = [], 0
    for i in range(ln // 2048):
        d = blk(loc + i)
        tid = struct.unpack_from("<H", d)[0]
        if tid == 8:
            break
        if tid == 6:
            rev = struct.unpack_from("<H", d, 216 + 24)[0]
            n = struct.unpack_from("<I", d, 268)[0]
            p = 440
            for _ in range(n):
                t, l = d[p], d[p + 1]
                if t == 1:
                    maps.append("type1")
                else:
                    ident = d[p + 5:p + 28].rstrip(b"\0").decode("latin-1")
                    maps.append({"*UDF Virtual Partition": "virtual",
                                 "*UDF Sparable Partition": "sparable",
                                 "*UDF Metadata Partition": "metadata"}.get(ident, ident))
                p += l
    iso = blk(16)[1:6] == b"CD001"
    return {"rev": rev, "maps": maps, "iso": iso}

L = layout()
if not L:
    fail("image", "no UDF anchor at sector 256")
    sys.exit(1)
say("layout", f"UDF {L['rev'] >> 8:x}.{L['rev'] & 0xff:02x} maps={'+'.join(L['maps'])} iso9660={'yes' if L['iso'] else 'no'}")

# ---------------------------------------------------------- the source
def sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

def manifest(root):
    m = {}
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                continue
            if os.path.isdir(p):
                m[rel] = ("d",)
            elif os.path.isfile(p):
                m[rel] = ("f", os.path.getsize(p), sha(p))
    return m

class Lazy(dict):
    # the source manifest (sha256 of every file) only when a reader needs it
    loaded = False
    def load(self):
        if not self.loaded:
            self.update(manifest(src))
            self.loaded = True
        return self

S = Lazy()
other = 0
for dp, dns, fns in os.walk(src):
    for n in dns + fns:
        p = os.path.join(dp, n)
        if os.path.islink(p) or not (os.path.isdir(p) or os.path.isfile(p)):
            other += 1

def in_range(rel, limit):
    return all(ord(c) <= limit for c in rel)

def pair_mangled(excluded, got):
    """A reader that cannot decode a name shows it under a substitute name.
    Pair each excluded source entry with an unmatched entry of the same
    directory and the same content, so that its content is still checked."""
    extra = {k: v for k, v in got.items() if k not in S}
    renamed = {}  # reader path prefix -> source path prefix (directories)
    paired, bad = set(), []
    for e in sorted(excluded, key=lambda p: p.count("/")):
        parent = os.path.dirname(e)
        rparent = renamed.get(parent, parent)
        cands = [k for k, v in extra.items() if k not in paired and
                 os.path.dirname(k) == rparent and v == S[e]]
        if not cands:
            bad.append(f"MISSING {e} (no entry with its content under any name)")
            continue
        paired.add(cands[0])
        if S[e][0] == "d":
            renamed[e] = cands[0]
    return paired, bad

def compare(reader, got, what, limit=None, why=""):
    S.load()
    want, bad, excluded = S, [], []
    if limit is not None:
        excluded = [k for k in want if not in_range(k, limit)]
        paired, bad = pair_mangled(excluded, got)
        want = {k: v for k, v in want.items() if in_range(k, limit)}
        got = {k: v for k, v in got.items() if k not in paired}
    for k in sorted(set(want) | set(got)):
        if k not in got:
            bad.append(f"MISSING {k}")
        elif k not in want:
            bad.append(f"EXTRA {k}")
        elif want[k] != got[k]:
            bad.append(f"DIFFERS {k}: {got[k][:2]} vs {want[k][:2]}")
    if excluded:
        say(reader, f"{len(excluded)} names beyond its character range ({why}): "
            "content matched under its substitute names")
    nf = sum(1 for v in want.values() if v[0] == "f")
    nd = len(want) - nf
    if bad:
        fail(reader, f"{len(bad)} mismatches", bad)
    else:
        say(reader, f"ok: {nf} files, {nd} dirs agree ({what})")

def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)

def need(tool, reader):
    if shutil.which(tool):
        return True
    fail(reader, f"{tool} not installed (run make deps)")
    return False

def na(reader, why):
    say(reader, "not applicable: " + why)

def requested(reader):
    if reader in wanted:
        return True
    say(reader, "not run (not requested by this test)")
    return False

maps = L["maps"]
plain = maps == ["type1"]

# --------------------------------------------------------------- udfinfo
if requested("udfinfo") and need("udfinfo", "udfinfo"):
    r = run(["udfinfo", img])
    kv = dict(l.split("=", 1) for l in r.stdout.decode(errors="replace").splitlines() if "=" in l)
    nfiles, ndirs = other, 1
    for dp, dns, fns in os.walk(src):
        nfiles += sum(1 for n in fns if os.path.isfile(os.path.join(dp, n))
                      and not os.path.islink(os.path.join(dp, n)))
        ndirs += sum(1 for n in dns if not os.path.islink(os.path.join(dp, n)))
    if r.returncode != 0:
        fail("udfinfo", f"rc={r.returncode}")
    elif kv.get("numfiles") != str(nfiles) or kv.get("numdirs") != str(ndirs):
        fail("udfinfo", f"LVID numfiles={kv.get('numfiles')} numdirs={kv.get('numdirs')}, "
             f"source has {nfiles} non-directories and {ndirs} directories")
    else:
        say("udfinfo", f"ok: anchors, VDS, LVID integrity={kv.get('integrity')}, counts {nfiles}/{ndirs}")

# -------------------------------------------------------------------- 7z
z = shutil.which("7zz") or shutil.which("7z")
if not requested("7z"):
    pass
elif not plain:
    na("7z", "7-Zip's UDF handler reads type-1 partition maps only")
elif other:
    na("7z", "7-Zip rejects images holding symlinks, FIFOs or sockets")
elif need("7zz", "7z"):
    out = os.path.join(work, "7z")
    r = run([z, "x", "-tudf", "-y", "-o" + out, img])
    if r.returncode:
        fail("7z", f"rc={r.returncode}: " + r.stdout.decode(errors="replace").strip().splitlines()[-1])
    else:
        compare("7z", manifest(out), "names, sizes, sha256")

# -------------------------------------------------------------- udfclient
if not requested("udfclient"):
    pass
elif "virtual" in maps or "metadata" in maps:
    na("udfclient", "udfclient lists but does not read VAT or metadata-partition volumes")
elif need("udfclient", "udfclient"):
    out = os.path.join(work, "udfclient")
    os.makedirs(out)
    r = run(["udfclient", "-b", "2048", img], input=b"ls\nquit\n", timeout=300)
    text = r.stdout.decode(errors="replace")
    vols = [l.split("  ")[-1].strip() for l in text.splitlines() if l.startswith("d")]
    if "too small" in text:
        na("udfclient", "udfclient refuses images below its minimum disc size")
    elif not vols:
        fail("udfclient", "no volume listed: " + text.strip()[-200:])
    else:
        cmd = f'lcd {out}\nget "{vols[0]}" root\nquit\n'.encode()
        run(["udfclient", "-b", "2048", img], input=cmd, timeout=600)
        compare("udfclient", manifest(os.path.join(out, "root")), "names, sizes, sha256",
                0x7F, "udfclient decodes ASCII names only")

# ------------------------------------------------------------ libudfread
UDFREAD_C = r'''
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <udfread/udfread.h>
static int walk(udfread *u, const char *path, const char *out)
{
	UDFDIR *d = udfread_opendir(u, path[0] ? path : "/");
	struct udfread_dirent e;
	int rc = 0;
	if (!d) return 1;
	while (udfread_readdir(d, &e)) {
		if (!strcmp(e.d_name, ".") || !strcmp(e.d_name, "..")) continue;
		char p[8192], o[8192];
		snprintf(p, sizeof p, "%s/%s", path, e.d_name);
		snprintf(o, sizeof o, "%s%s", out, p);
		if (e.d_type == UDF_DT_DIR) {
			mkdir(o, 0755);
			rc |= walk(u, p, out);
			continue;
		}
		UDFFILE *f = udfread_file_open(u, p);
		FILE *w = fopen(o, "wb");
		if (!f || !w) { rc = 1; continue; }
		char buf[65536];
		ssize_t n;
		while ((n = udfread_file_read(f, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, w);
		if (n < 0) rc = 1;
		fclose(w);
		udfread_file_close(f);
	}
	udfread_closedir(d);
	return rc;
}
int main(int argc, char **argv)
{
	udfread *u = udfread_init();
	if (argc != 3 || !u || udfread_open(u, argv[1]) < 0) return 2;
	int rc = walk(u, "", argv[2]);
	udfread_close(u);
	return rc;
}
'''
if not requested("udfread"):
    pass
elif any(m in ("virtual", "sparable") for m in maps):
    na("udfread", "libudfread reads type-1 and metadata partition maps only")
elif need("gcc", "udfread"):
    c = os.path.join(work, "udfread-walk.c")
    b = os.path.join(work, "udfread-walk")
    open(c, "w").write(UDFREAD_C)
    flags = run(["pkg-config", "--cflags", "--libs", "libudfread"]).stdout.decode().split()
    r = run(["gcc", "-O1", "-o", b, c] + flags)
    if r.returncode:
        fail("udfread", "cannot build against libudfread (libudfread-dev missing?)")
    else:
        out = os.path.join(work, "udfread")
        os.makedirs(out)
        r = run([b, img, out], timeout=600)
        if r.returncode:
            fail("udfread", f"rc={r.returncode}: {r.stdout.decode(errors='replace')[-200:]}")
        else:
            compare("udfread", manifest(out), "names, sizes, sha256",
                    0xFFFF, "libudfread drops names outside the BMP")

# ------------------------------------------------- pycdlib, the UDF side
# Debian's python3-pycdlib lives with the system interpreter, which may
# not be the python3 first on PATH.
PYCDLIB = '''
import os, sys, pycdlib
img, out = sys.argv[1], sys.argv[2]
iso = pycdlib.PyCdlib()
iso.open(img)
if not iso.has_udf():
    sys.exit("pycdlib finds no UDF volume")
# Each name decoded in its own CS0 form: pycdlib's walk() decodes a whole
# path in the last name's form, which garbles a 16-bit name below an
# 8-bit one.
def walk(path):
    for c in iso.list_children(udf_path=path):
        if c is None or c.file_ident is None or c.file_ident.is_parent():
            continue
        name = c.file_identifier().decode(c.file_ident.encoding)
        full = path.rstrip("/") + "/" + name
        local = os.path.join(out, full.lstrip("/"))
        if c.is_dir():
            os.makedirs(local, exist_ok=True)
            walk(full)
        else:
            iso.get_file_from_iso(local, udf_path=full)
walk("/")
iso.close()
'''
def pycdlib_python():
    for py in ("/usr/bin/python3", sys.executable):
        if os.path.exists(py) and run([py, "-c", "import pycdlib"]).returncode == 0:
            return py
    return None

if not L["iso"]:
    na("pycdlib", "it reads UDF only beside an ISO9660 volume")
elif not plain:
    na("pycdlib", "it reads type-1 partitions only (maps: " + ",".join(maps) + ")")
elif requested("pycdlib"):
    py = pycdlib_python()
    if not py:
        fail("pycdlib", "python3-pycdlib not installed (run make deps)")
    else:
        out = os.path.join(work, "pycdlib")
        os.makedirs(out)
        r = run([py, "-c", PYCDLIB, img, out], timeout=600)
        if r.returncode:
            fail("pycdlib", f"rc={r.returncode}: " + r.stdout.decode(errors="replace")[-300:])
        else:
            compare("pycdlib", manifest(out), "UDF names, sizes, sha256")

# ------------------------------------------------------------ ISO readers
if not L["iso"]:
    na("xorriso", "no ISO9660 volume in the image")
    na("bsdtar", "no ISO9660 volume in the image")
else:
    if requested("xorriso") and need("xorriso", "xorriso"):
        out = os.path.join(work, "xorriso")
        r = run(["xorriso", "-osirrox", "on", "-indev", img, "-extract", "/", out])
        if r.returncode:
            fail("xorriso", f"rc={r.returncode}: " + r.stdout.decode(errors="replace")[-300:])
        else:
            compare("xorriso", manifest(out), "Rock Ridge names, sizes, sha256")
    if requested("bsdtar") and need("bsdtar", "bsdtar"):
        out = os.path.join(work, "bsdtar")
        os.makedirs(out)
        r = run(["bsdtar", "-x", "-f", img, "-C", out])
        if r.returncode:
            fail("bsdtar", f"rc={r.returncode}: " + r.stdout.decode(errors="replace")[-300:])
        else:
            compare("bsdtar", manifest(out), "Rock Ridge names, sizes, sha256")

shutil.rmtree(work, ignore_errors=True)
print("crosscheck: RESULT " + ("FAIL" if failed else "OK"))
sys.exit(1 if failed else 0)
PYEOF
