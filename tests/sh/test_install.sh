#!/bin/sh
# tests/sh/test_install.sh - `make install` honours PREFIX and DESTDIR, and
# what it installs is usable by an outside program: the header alone
# compiles, pkg-config finds the library, and a program linked against the
# shared libdiscfs opens an emulated drive and reads its medium.
set -eu
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
W=$(mktemp -d /tmp/discfs-install.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make -C "$SRC" -s BUILD="$BUILD" install PREFIX=/opt/discfs DESTDIR="$W/root" >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log"; fail "make install"; }
P="$W/root/opt/discfs"
for f in bin/discctl bin/discfs bin/discemu include/discfs.h lib/libdiscfs.so.0 \
	lib/libdiscfs.so lib/libdiscfs.a lib/pkgconfig/discfs.pc \
	share/man/man1/discctl.1 share/man/man1/discfs.1 share/man/man1/discemu.1; do
	[ -e "$P/$f" ] || fail "missing $f under DESTDIR/PREFIX"
done
grep -q '^prefix=/opt/discfs$' "$P/lib/pkgconfig/discfs.pc" || fail "pkg-config prefix is not PREFIX"
for m in "$P"/share/man/man1/*.1; do
	man -l "$m" >/dev/null 2>"$W/man.err" || { cat "$W/man.err"; fail "man page $m does not render"; }
	[ -s "$W/man.err" ] && { cat "$W/man.err"; fail "man page $m has warnings"; }
done

cat >"$W/client.c" <<'EOC'
#include <discfs.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	discfs_error err;
	discfs_drive *d;
	discfs_media_info m;
	if (discfs_emu_create(argv[1], "dvd+r", 4096, &err) < 0 ||
	    discfs_open(argv[1], &d, &err) < 0) {
		fprintf(stderr, "client: %s\n", err.msg);
		return 1;
	}
	if (discfs_media_info_get(d, &m, &err) < 0) {
		fprintf(stderr, "client: %s\n", err.msg);
		return 1;
	}
	printf("%s %s %llu\n", discfs_profile_name(m.profile),
	       m.disc_status == DISCFS_DISC_BLANK ? "blank" : "not-blank",
	       (unsigned long long)m.capacity_blocks);
	discfs_media_info_free(&m);
	discfs_close(d);
	return 0;
}
EOC
export PKG_CONFIG_PATH="$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$W/root"
# -std=c99 -pedantic: the public header must not need GNU extensions.
cc -std=c99 -pedantic -Wall -Werror $(pkg-config --cflags discfs) -o "$W/client" "$W/client.c" \
	$(pkg-config --libs discfs) || fail "a client does not build against the installed header and library"
out=$(LD_LIBRARY_PATH="$P/lib" "$W/client" "$W/disc.img") || fail "client failed"
[ "$out" = "DVD+R blank 4096" ] || fail "client saw '$out'"
ldd "$W/client" | grep -q "$P/lib/libdiscfs.so.0" 2>/dev/null ||
	LD_LIBRARY_PATH="$P/lib" ldd "$W/client" | grep -q "libdiscfs.so.0 => $P/lib" ||
	fail "client is not linked to the installed shared library"

make -C "$SRC" -s BUILD="$BUILD" uninstall PREFIX=/opt/discfs DESTDIR="$W/root" >/dev/null 2>&1 || fail "make uninstall"
[ ! -e "$P/bin/discctl" ] && [ ! -e "$P/lib/libdiscfs.so" ] || fail "uninstall left files behind"
echo "PASS"
