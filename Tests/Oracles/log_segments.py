#!/usr/bin/env python3
"""An independent reader (and tamperer) of Waymark segment files, written from the format
notes in docs/FORMATS.md, not from the Swift code: CRC-32C from its polynomial, SHA-256 from
hashlib. Used by the tests as an oracle for the hash chain, and to make the edits an attacker
with write access could make (records changed with their CRC recomputed, records removed and
the rest renumbered).

  log_segments.py head DIR                 print HASH@OFFSET (the chain over every record)
  log_segments.py edit DIR OFFSET          flip one payload byte of record OFFSET, fix its CRC
  log_segments.py remove DIR OFFSET        remove record OFFSET, renumber the later records of
                                           its segment and fix their CRCs (one segment logs)
"""
import hashlib, os, struct, sys

POLY = 0x82F63B78
TABLE = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


HEADER = 16  # segment header: b"WAYMARK\x01" + u64 base offset
FRAME = 28   # crc32c, length, offset, recordedAt, keyLength, flags


def segments(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".log") and len(f) == 24)


def frames(data):
    """(position, length, offset) of each whole, valid frame after the header."""
    p = HEADER
    while p + FRAME <= len(data):
        crc, length, offset = struct.unpack_from("<IIQ", data, p)
        if length < FRAME or p + length > len(data) or crc32c(data[p + 4:p + length]) != crc:
            break
        yield p, length, offset
        p += length


def committed_end(d, seg):
    """The active segment's commit marker: readers stop there."""
    path = os.path.join(d, seg[:-4] + ".chain")
    if not os.path.exists(path):
        return None
    b = open(path, "rb").read()
    if len(b) != 104 or b[:8] != b"WMCHAIN1" or struct.unpack_from("<I", b, 100)[0] != crc32c(b[:100]):
        return None
    return struct.unpack_from("<Q", b, 56)[0]


def head(d):
    link, count = bytes(32), 0
    names = segments(d)
    for i, seg in enumerate(names):
        data = open(os.path.join(d, seg), "rb").read()
        if i == len(names) - 1:
            end = committed_end(d, seg)
            if end is not None:
                data = data[:end]
        for p, length, offset in frames(data):
            assert offset == count, (seg, offset, count)
            link = hashlib.sha256(link + hashlib.sha256(data[p + 4:p + length]).digest()).digest()
            count += 1
    return "%s@%d" % (link.hex(), count)


def rewrite_frame(data, p, length, new_offset=None):
    frame = bytearray(data[p:p + length])
    if new_offset is not None:
        struct.pack_into("<Q", frame, 8, new_offset)
    struct.pack_into("<I", frame, 0, crc32c(bytes(frame[4:])))
    return bytes(frame)


def edit(d, target):
    for seg in segments(d):
        path = os.path.join(d, seg)
        data = bytearray(open(path, "rb").read())
        for p, length, offset in frames(bytes(data)):
            if offset == target:
                data[p + length - 3] ^= 0x01  # a byte inside the payload's last string
                data[p:p + length] = rewrite_frame(bytes(data), p, length)
                open(path, "wb").write(data)
                return
    sys.exit("no record %d" % target)


def remove(d, target):
    seg = segments(d)[-1]
    path = os.path.join(d, seg)
    data = open(path, "rb").read()
    out, removed = bytearray(data[:HEADER]), False
    last = HEADER
    for p, length, offset in frames(data):
        last = p + length
        if offset == target:
            removed = True
            continue
        out += rewrite_frame(data, p, length, offset - 1 if removed else None)
    out += data[last:]
    open(path, "wb").write(out)
    # the commit marker and the indexes are the writer's files; an attacker fixes those too
    chain = os.path.join(d, seg[:-4] + ".chain")
    if os.path.exists(chain):
        b = bytearray(open(chain, "rb").read())
        records, end = struct.unpack_from("<QQ", b, 48)
        struct.pack_into("<QQ", b, 48, records - 1, end - (len(data) - len(out)))
        struct.pack_into("<I", b, 100, crc32c(bytes(b[:100])))
        open(chain, "wb").write(b)


if __name__ == "__main__":
    verb, d = sys.argv[1], sys.argv[2]
    if verb == "head":
        print(head(d))
    elif verb == "edit":
        edit(d, int(sys.argv[3]))
    elif verb == "remove":
        remove(d, int(sys.argv[3]))
    else:
        sys.exit(__doc__)
