/* dx_teleport.h - v0.2.1 - zero-copy buffers of plain C structs - SPDX-License-Identifier: MIT OR Unlicense (text at end)

   "Memory teleportation": one program writes plain C structs, arrays of them
   and strings into one buffer; another program (another machine, another
   architecture) verifies the buffer once and then uses the structs in place,
   with no parsing step.

QUICK START
   Do this:
       #define DX_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Other files include it without the define.

       typedef struct user {            // a wire struct: explicit padding,
           uint64_t id;                 // fixed-width fields, no pointers
           uint32_t age, pad;
           double score;
           dx_tp_str name;              // reference into the string table
       } user;
       static const dx_tp_field user_fields[] = {
           DX_TP_FIELD(user, id, DX_TP_KIND_U64),  DX_TP_FIELD(user, age, DX_TP_KIND_U32),
           DX_TP_FIELD(user, pad, DX_TP_KIND_PAD), DX_TP_FIELD(user, score, DX_TP_KIND_F64),
           DX_TP_FIELD(user, name, DX_TP_KIND_STR),
       };
       static const dx_tp_layout user_layout = DX_TP_LAYOUT(1, user, user_fields);

       // write
       dx_tp_writer w; dx_tp_writer_config wc;
       memset(&wc, 0, sizeof wc);                       // zero = defaults
       dx_tp_writer_create(&w, &wc);                    // a buffer that grows (malloc)
       dx_tp_writer_add_layout(&w, &user_layout);
       user u = {42, 30, 0, 0.5, dx_tp_write_cstr(&w, "ada")};
       dx_tp_write(&w, 1, &u);
       const uint8_t *buf; size_t len;
       if (dx_tp_writer_finish(&w, &buf, &len) != DX_OK) ...;   // send or save buf
       // read (another process, another machine)
       dx_tp_reader r; dx_tp_view v;
       if (dx_tp_reader_init(&r, buf, len) != DX_OK) ...;       // verifies everything once
       if (dx_tp_reader_view(&r, dx_tp_reader_find(&r, 1, 0), &user_layout, &v) != DX_OK) ...;
       const user *p = (const user *)dx_tp_view_at(&v, 0);      // zero copy when v.zero_copy
       printf("%s\n", dx_tp_reader_string(&r, p->name, NULL));
       dx_tp_writer_destroy(&w);                        // frees buf

   The whole program is examples/teleport_users.c.

OVERVIEW
   A buffer holds a header, sections (runs of structs of one type, or raw
   bytes), a section table, the schema of every struct type (field names,
   kinds, offsets, sizes) and a string table. Objects refer to each other by
   buffer offsets (dx_tp_ref), to runs of objects by dx_tp_slice and to
   strings by dx_tp_str: never by pointers.
   - The writer copies structs in (or lets you fill them in place with
     dx_tp_writer_reserve), stacks strings at the back of the same memory and
     at finish moves only the string table next to the data: no second copy.
   - The reader checks the header, every table, every section bound and
     alignment, and every string, reference and slice field of every struct
     (from the embedded schema), with overflow-safe arithmetic. After init
     succeeds, the pointers it hands out are in bounds and every string
     something refers to (a STR field, a type or field name) is
     NUL-terminated at its length; other bytes of the string table are
     never looked at.
   - Layout descriptors (dx_tp_layout) give each struct type a fingerprint,
     let a big-endian host byte-swap on access, let tools dump any buffer as
     JSON (examples/tp_dump.c) and let schemas evolve: a reader accepts a
     buffer whose struct has fewer trailing fields (they read as zero) or
     more (they are skipped); any other difference is DX_TP_ERR_SCHEMA.
   DOES NOT:
   - do I/O (give it memory, mmap a file yourself), compress, or encrypt;
   - store pointers, unions, bit-fields, or variable-size structs;
   - promise meaning: a verified buffer is in bounds, not necessarily sensible.

API
   Layouts (the schema of one struct type; keep them alive while used)
   DX_TP_FIELD(type, member, kind)       one dx_tp_field from offsetof/sizeof.
   DX_TP_LAYOUT(type_id, type, fields)   a dx_tp_layout initializer.
   uint64_t dx_tp_layout_fingerprint(const dx_tp_layout *l)
       the type FINGERPRINT of WIRE FORMAT (type id, size, field count, then
       per field its name, a 0 byte, kind, offset, size, target); 0 if l or
       l->fields is NULL. allocates: no. thread-safety: pure.
   dx_result dx_tp_layout_check(const dx_tp_layout *l)
       DX_OK if l is usable: type id != 0, fields cover every byte of the
       struct in order (declare padding with DX_TP_KIND_PAD), sizes match kinds.
       errors: DX_ERR_INVAL.

   Writer (one thread at a time)
   size_t dx_tp_writer_memory_size(const dx_tp_writer_config *cfg)
       the least memory init accepts: the 80-byte header, plus the dedup
       index (string_index_slots x 8 + 7 bytes) with cfg->dedup_strings; 0
       if cfg is invalid. What you give beyond it is room for the buffer.
   dx_result dx_tp_writer_init(dx_tp_writer *w, const dx_tp_writer_config *cfg, void *mem, size_t mem_size)
       writes into mem: the buffer starts at mem (it keeps mem's alignment),
       a dedup index takes the end. A write that does not fit is
       DX_ERR_NOSPACE (sticky). allocates: never; nothing to release after.
       errors: INVAL (cfg), NOSPACE (mem_size < memory_size).
   dx_result dx_tp_writer_create(dx_tp_writer *w, const dx_tp_writer_config *cfg)
       a buffer that grows through cfg->allocator (initial_capacity, default
       64 KiB, then doubling) and, with dedup, an index that grows too.
       allocates: yes (allocator). errors: INVAL, NOMEM.
   void dx_tp_writer_destroy(dx_tp_writer *w)
       frees what create allocated (the finished buffer goes with it);
       harmless on a writer made by init.
   Config (zero = default): allocator and initial_capacity (create only),
   capabilities (copied into the header), checksum (store a CRC32C),
   dedup_strings (store identical strings once) with string_index_slots (a
   power of two, default 1024).
   dx_result dx_tp_writer_add_layout(dx_tp_writer *w, const dx_tp_layout *l)
       registers a struct type (up to DX_TP_MAX_TYPES). errors: INVAL
       (dx_tp_layout_check fails), EXISTS (its type id is registered), LIMIT.
   dx_tp_ref dx_tp_write(dx_tp_writer *w, uint32_t type_id, const void *obj)
   dx_tp_slice dx_tp_write_slice(dx_tp_writer *w, uint32_t type_id, const void *items, size_t count)
   void *dx_tp_writer_reserve(dx_tp_writer *w, uint32_t type_id, size_t count, dx_tp_slice *out)
       copy structs in, or get zeroed room for count structs to fill in
       place (valid until the next writer call). Consecutive writes of one
       type extend one section. The ref/slice is 0 and reserve's pointer
       NULL on error (sticky). count 0 writes nothing and is no error:
       {0, 0} and NULL (tell that NULL from a failure by count, or by
       dx_tp_writer_error). allocates: with create, when full (amortized
       doubling). errors: MISUSE (type_id not registered), INVAL (obj or
       items NULL), LIMIT, NOSPACE, NOMEM.
   dx_tp_ref dx_tp_write_raw(dx_tp_writer *w, const void *bytes, size_t len, size_t align)
       untyped bytes: a raw section (type id 0, ELEM_SIZE 1, COUNT the
       bytes, no byte swapping) at a multiple of align, a power of two from
       1 to 4096 (else INVAL, sticky). It extends the previous section when
       that one is raw, has an ALIGN >= align and ends at a multiple of
       align; else a new section begins. len 0 returns 0 with no error.
   dx_tp_str dx_tp_write_string(dx_tp_writer *w, const char *s, size_t len)
   dx_tp_str dx_tp_write_cstr(dx_tp_writer *w, const char *s)
       copies into the string table, NUL-terminated; with cfg.dedup_strings
       an identical string is stored once. The empty string is {0, 0}.
   void dx_tp_writer_set_root(dx_tp_writer *w, uint32_t type_id, dx_tp_ref root)
       not checked: a root that is not an element of a section of type_id
       finishes fine and the reader refuses the buffer (CORRUPT).
   dx_result dx_tp_writer_finish(dx_tp_writer *w, const uint8_t **out_buf, size_t *out_len)
       lays out the tables and the string table, fills the header and the
       optional CRC32C; returns the first error of any earlier call. The
       buffer is the caller's memory (init) or lives until destroy (create).
       Calling it again returns the same buffer. errors: MISUSE (a REF or
       SLICE target, or a nonzero root's type, is not registered), NOSPACE,
       NOMEM, LIMIT. After finish, every call that would change the buffer
       (add_layout, write*, reserve, set_root) is MISUSE; calls that write
       nothing (count or len 0) still return 0 with no error.
   dx_result dx_tp_writer_error(const dx_tp_writer *w)    the sticky error.

   Reader (never allocates; a verified reader is read-only and may be shared
   by threads)
   dx_result dx_tp_reader_init(dx_tp_reader *r, const void *buf, size_t len)
       verifies everything (see SECURITY MODEL). buf may have any alignment
       and be read-only. On failure r is an empty reader (zero counts and
       sizes, NULL tables): every accessor answers as for a buffer with
       nothing in it (NOTFOUND, ""), so none reads unverified bytes. Its
       r->error_offset says where: TRUNCATED, the bytes given;
       DX_TP_ERR_MAGIC and INVAL, 0; any other error, the offset of the
       header word, type, field or section entry, or STR, REF or SLICE in
       an element that failed its check (a table out of bounds, or a string
       table without its final NUL: the table's offset word, 48, 56 or 64).
       errors: INVAL (buf NULL, len > 0), TRUNCATED, DX_TP_ERR_MAGIC,
       UNSUPPORTED, CORRUPT, CHECKSUM, LIMIT.
   int32_t dx_tp_reader_find(const dx_tp_reader *r, uint32_t type_id, uint32_t start)
       index of the first section of that type at or after start, or DX_ERR_NOTFOUND.
   dx_result dx_tp_reader_section(const dx_tp_reader *r, uint32_t index, dx_tp_section_info *out)
       errors: NOTFOUND (index >= section count), INVAL (NULL).
   dx_result dx_tp_reader_view(const dx_tp_reader *r, int32_t section, const dx_tp_layout *l, dx_tp_view *out)
       checks l against the buffer's schema for that section's type and
       describes the section. The section's type id must be l->type_id;
       then the fields the two share (the first min(field counts)) must
       agree one by one in name, kind, offset, size and target (a trailing
       PAD is a field like any other; the type's name is not compared),
       else DX_TP_ERR_SCHEMA. out->count elements, out->stride bytes apart.
       out->zero_copy: the host is little-endian, l's fields are all in the
       buffer (the same layout, or l a prefix of a longer struct) and the
       section is aligned in memory to its ALIGN. errors: a negative
       section is returned as is (find's NOTFOUND passes through; -1 is
       INVAL), NOTFOUND (section out of range), DX_TP_ERR_SCHEMA, INVAL (NULL).
   const void *dx_tp_view_at(const dx_tp_view *v, uint32_t i)        (inline)
       pointer to element i (i < v->count). When v->zero_copy each such
       pointer may be used in place as the struct; else copy it out with
       dx_tp_view_read. Elements are v->stride bytes apart, and stride
       exceeds sizeof the struct when the writer's struct is longer: never
       index the first element's pointer as a C array.
   void dx_tp_view_read(const dx_tp_view *v, uint32_t i, void *out)
       copies element i into a host struct: byte swaps on big-endian hosts,
       zero-fills fields the buffer does not have.
   const char *dx_tp_reader_string(const dx_tp_reader *r, dx_tp_str s, uint32_t *out_len)  (inline)
       the string, NUL-terminated, its length in *out_len (if not NULL); ""
       and *out_len 0 for a bad reference, and on a failed reader (never out
       of bounds).
   dx_result dx_tp_reader_resolve(const dx_tp_reader *r, dx_tp_ref ref, uint32_t type_id, int32_t *out_section, uint32_t *out_index)
       which section and element a reference or a slice's offset points at;
       type_id 0 resolves into raw sections (elements of their ELEM_SIZE).
       errors: NOTFOUND (not an element of a section of that type; then
       *out_section is NOTFOUND too), INVAL (NULL).
   dx_result dx_tp_reader_root(const dx_tp_reader *r, int32_t *out_section, uint32_t *out_index)
   dx_result dx_tp_reader_type(const dx_tp_reader *r, uint32_t index, dx_tp_type_info *out)
   dx_result dx_tp_reader_field(const dx_tp_reader *r, uint32_t type_index, uint32_t field, dx_tp_field_info *out)
       the embedded schema, for generic tools (examples/tp_dump.c). errors:
       NOTFOUND (no root; index, type_index or field out of range), INVAL.
   const char *dx_tp_result_name(dx_result r)    names module and common codes.
   uint32_t dx_tp_crc32c(uint32_t crc, const void *data, size_t len)   (crc starts at 0)
       table-driven (bit by bit under DX_TP_NO_CRC_TABLE); SSE4.2
       instructions on x86-64 when the CPU has them.

CONFIGURATION
   macro                 default   scope     effect
   DX_TP_MAX_SECTIONS    64        [global]  sections a writer can hold (24 bytes each in dx_tp_writer)
   DX_TP_MAX_TYPES       16        [global]  struct types a writer can register
   DX_TP_MAX_FIELDS      256       [impl]    fields per struct type, writer and reader
   DX_TP_NO_CRC_TABLE    off       [impl]    CRC32C bit by bit, without its 1 KiB table
                                             (about 8x slower; small firmware)
   DX_LITTLE_ENDIAN      detected  [global]  1 or 0 to override host byte-order detection
   DX_STATIC / DX_TELEPORT_STATIC  [impl]    make every function static (use in the TU with the implementation)
   DX_TELEPORT_API / DX_API        [global]  linkage decoration of public functions
   DX_MALLOC(sz,u)/DX_FREE(p,sz,u) [impl]    default allocator (all or none); DX_NO_MALLOC removes it
   DX_MEMCPY/DX_MEMMOVE/DX_MEMSET/DX_MEMCMP  [impl]  libc replacements (DX_NO_LIBC uses __builtin_*)
   DX_ASSERT(c), DX_NO_ASSERT      [impl]    programmer-error checks only; input never asserts
   DX_NO_ERROR_STRINGS             [impl]    result names become ""
   DX_CONFIG_HEADER                [global]  a file included first, to hold all of the above

MEMORY
   dx_tp_writer_init writes into the caller's memory and never allocates;
   dx_tp_writer_create grows one block through the allocator (doubling; the
   string table sits at the back of the same block) and, with string
   dedup, an index (string_index_slots x 8 bytes, doubling at 3/4 full; in
   init's memory it stops taking entries at 3/4 full instead). The
   reader and views never allocate. On a 64-bit host dx_tp_reader is 96
   bytes and dx_tp_writer about 1.9 KiB with the default limits (mostly its
   section table: put it in static or heap memory on small stacks).
   Cortex-M4 firmware that verifies and views a buffer (tests/firmware/
   dx_teleport.c, -Os, DX_TP_NO_CRC_TABLE) links about 3 KiB of it.

ERRORS
   dx_result codes (0 ok, negative error). Module codes: DX_TP_ERR_MAGIC (-400,
   not a teleport buffer), DX_TP_ERR_SCHEMA (-401, the struct layout does not
   match the buffer's). The writer's errors are sticky: after the first one
   every call does nothing and finish returns it.

THREADING
   A writer: one thread at a time. A reader after init: read-only, share it.

SECURITY MODEL
   Trusted: configs, layouts, the writer's input. Untrusted: every byte given
   to dx_tp_reader_init. init rejects, with a result code and no read outside
   [buf, buf+len): a short buffer, a wrong magic or major version, unknown
   required flags, a wrong checksum, nonzero reserved words, tables or
   sections outside the buffer or overlapping the header, misaligned or
   overlapping sections, empty sections, zero-sized elements, counts whose
   byte size overflows, schema entries that overlap or exceed their struct,
   unknown kinds, bad fingerprints, names holding a NUL, and any string,
   reference, slice or root that does not land inside its target (strings:
   NUL at their length); the exact rules are under WIRE FORMAT, Reading.
   Work is O(bytes + references x log sections).
   Zero copy additionally needs the section to be aligned in memory; views
   say so (zero_copy) and dx_tp_view_read is the safe path otherwise.

WIRE FORMAT (version 1.1; integers little-endian; offsets from buffer start)
   A buffer is an 80-byte header and the regions it points at: sections
   (runs of structs or raw bytes), the section table, the type table, one
   field table per type and the string table. The names in capitals are
   the DX_TP_HEADER_OFF_*, DX_TP_SECTION_ENTRY_OFF_*, DX_TP_TYPE_ENTRY_OFF_*
   and DX_TP_FIELD_ENTRY_OFF_* constants of the declarations.

   header (DX_TP_HEADER_SIZE = 80 bytes)
     0  4  MAGIC          "DXTP" (44 58 54 50)
     4  2  MAJOR          1; a reader rejects any other
     6  2  MINOR          1 (a 1.0 buffer differs only here); readers accept any
                          and apply these rules to all (Reading)
     8  4  FLAGS          bit 0 CHECKSUM. Bits 0-15 are required: a reader
                          rejects one it does not know. Bits 16-31 are
                          optional: a reader ignores the ones it does not know.
    12  4  HEADER_SIZE    >= 80, a multiple of 8; bytes 80..HEADER_SIZE are
                          room for optional fields of later minors (ignored)
    16  4  TOTAL_SIZE     bytes in the buffer, >= HEADER_SIZE
    20  4  CRC            with CHECKSUM: CRC32C (Castagnoli, reflected
                          polynomial 0x82f63b78, init and xorout 0xffffffff;
                          "123456789" -> e3069283) of the TOTAL_SIZE bytes
                          with these 4 taken as zero. Without CHECKSUM: 0.
    24  8  CAPABILITIES   64 bits the application defines (not checked)
    32  8  FINGERPRINT    FNV-1a 64 over the type entries' FINGERPRINT fields,
                          8 bytes each, in table order (no types: the FNV
                          offset basis cbf29ce484222325)
    40  4  ROOT           offset of the root object, 0 = none
    44  4  ROOT_TYPE      its type id; ignored when ROOT is 0 (writers write 0);
                          0 with a nonzero ROOT: an element of a raw section
                          (readers accept it; this writer's roots are typed)
    48  4  SECTION_TABLE  offset       52  4  SECTION_COUNT
    56  4  TYPE_TABLE     offset       60  4  TYPE_COUNT
    64  4  STRING_TABLE   offset       68  4  STRING_TABLE_SIZE  (bytes)
    72  8  RESERVED       zero
   section entry (24 bytes): COUNT elements of ELEM_SIZE bytes at OFFSET
     0 TYPE_ID (0: raw bytes)  4 OFFSET  8 COUNT  12 ELEM_SIZE  16 ALIGN
    20 RESERVED (zero)
   type entry (40 bytes)
     0 FINGERPRINT (8 bytes)  8 TYPE_ID  12 STRUCT_SIZE  16 ALIGN
    20 FIELD_COUNT  24 FIELD_TABLE (offset of FIELD_COUNT field entries)
    28 NAME (a STR: off, len)  36 RESERVED (zero)
   field entry (24 bytes)
     0 NAME (a STR: off, len)  8 OFFSET (in the struct)  12 SIZE  16 KIND
    20 TARGET (the type id a REF or SLICE points at; 0 for other kinds)

   kind          size  align  value
     1 U8, 2 I8     1     1    integers, two's complement for I*
     3 U16, 4 I16   2     2
     5 U32, 6 I32   4     4
     7 U64, 8 I64   8     8
     9 F32          4     4    IEEE 754 binary32
    10 F64          8     8    IEEE 754 binary64
    11 BYTES      any     1    opaque bytes, never byte-swapped
    12 PAD        any     1    padding (writers write zeros; not checked)
    13 STR          8     4    u32 off, u32 len: a string (below)
    14 REF          4     4    u32 offset of an object of type TARGET; 0 = null
    15 SLICE        8     4    u32 offset of the first of count objects of
                               type TARGET, u32 count; {0, 0} = empty
   Any other kind (0, 16 and up) is corrupt. "any": any size >= 1.

   Strings. They are stacked from the end of the string table backwards. A
   STR {off, len} names the len bytes that start off bytes before the end of
   the table; a NUL follows them. It is valid when len < off <=
   STRING_TABLE_SIZE and that NUL is there; {0, 0} is the empty string.
   Strings hold any bytes (NUL too): their length is len. Type and field
   names do not hold a NUL: they are C strings in dx_tp_field. A non-empty
   string table ends in a NUL.

   Type fingerprint: FNV-1a 64 (h = cbf29ce484222325; per byte: h = (h xor
   byte) * 100000001b3 mod 2^64) over
     u32 TYPE_ID, u32 STRUCT_SIZE, u32 FIELD_COUNT, then for each field in
     table order: the bytes of its name, one 0 byte, u32 KIND, u32 OFFSET,
     u32 SIZE, u32 TARGET
   (u32 little-endian; the type's NAME and ALIGN are not part of it).
   Example: type 3, 8 bytes, fields "x" U32 at 0 and "y" U32 at 4 hashes
     03 00 00 00 08 00 00 00 02 00 00 00
     78 00 05 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00
     79 00 05 00 00 00 04 00 00 00 04 00 00 00 00 00 00 00
   to 549f94e4a484e7a9; a buffer with only this type has the header
   FINGERPRINT 0d14614263be7502 (the hash of a9 e7 84 a4 e4 94 9f 54).

   Alignment. Every ALIGN is a power of two <= 4096. A type's ALIGN divides
   its STRUCT_SIZE and is at least the largest align (the kind table's
   column: STR and SLICE 4) of its fields' kinds; writers write exactly
   that largest. It is not C's alignof: a BYTES field holding a double
   counts 1.
   A section's ALIGN divides its OFFSET. A typed section's ELEM_SIZE and
   ALIGN equal its type's STRUCT_SIZE and ALIGN; a raw section may have any
   ELEM_SIZE >= 1 and ALIGN.

   Reading. A reader checks, in this order, and returns the first failure
   (DX_ERR_ omitted; DX_TP_ERR_MAGIC is spelled out):
    1. 4 bytes or more that do not start with MAGIC: DX_TP_ERR_MAGIC. Fewer
       than 80 bytes: TRUNCATED.
    2. MAJOR is 1, else UNSUPPORTED. No unknown required flag, else
       UNSUPPORTED.
    3. HEADER_SIZE >= 80 and a multiple of 8, then TOTAL_SIZE >=
       HEADER_SIZE, else CORRUPT. TOTAL_SIZE > the bytes given: TRUNCATED.
    4. With CHECKSUM the CRC matches, else CHECKSUM; without, the CRC word
       is 0, else CORRUPT. RESERVED is zero, else CORRUPT.
    5. Limits: more than 65536 sections or 256 types is LIMIT: a reader's
       limit, not a corrupt buffer (so are fields, in 7).
    6. The section table (SECTION_COUNT x 24 bytes), the type table
       (TYPE_COUNT x 40) and the string table (STRING_TABLE_SIZE) are in
       bounds: HEADER_SIZE <= OFFSET and OFFSET + size <= TOTAL_SIZE,
       computed without overflow and checked for empty tables too (an empty
       table may sit at TOTAL_SIZE, as writers put an empty string table;
       one at offset 0 is refused); a
       non-empty string table ends in a NUL. Else CORRUPT.
    7. Each type, in table order (CORRUPT unless said otherwise): TYPE_ID
       != 0, STRUCT_SIZE != 0, ALIGN as above, NAME a valid string with no
       NUL in it; RESERVED zero; FIELD_COUNT != 0; FIELD_COUNT <= 256 (this
       reader: DX_TP_MAX_FIELDS), else LIMIT; the field table (FIELD_COUNT x
       24) in bounds as in 6; TYPE_ID unlike every earlier type's.
       Each field: NAME valid, with no NUL in it; KIND known; SIZE != 0 and the kind's size
       where it has one; OFFSET at or after the end of the previous field
       (sorted, no overlap; gaps are allowed); OFFSET + SIZE <= STRUCT_SIZE;
       OFFSET a multiple of the kind's alignment; TARGET != 0 exactly for
       REF and SLICE, and then the id of a type in the table. Then ALIGN is
       at least every field kind's alignment and FINGERPRINT is as computed.
    8. The header FINGERPRINT is as computed, else CORRUPT.
    9. Each section, in table order (CORRUPT): COUNT != 0; ELEM_SIZE != 0;
       ALIGN as above; OFFSET a multiple of ALIGN; OFFSET >= the end of the
       previous section (of the first: >= HEADER_SIZE), so sections are
       sorted and do not overlap; OFFSET + COUNT x ELEM_SIZE <= TOTAL_SIZE;
       RESERVED zero; if typed, its type exists and has this ELEM_SIZE and
       ALIGN.
   10. Every STR, REF and SLICE field of every element of every typed
       section (CORRUPT): a STR is valid; a REF is 0 or the offset of an
       element (OFFSET + k x ELEM_SIZE, k < COUNT) of a section of type
       TARGET; a SLICE is {0, 0} or count >= 1 elements from such an element
       on, all in that section ({offset, 0} and {0, count} are corrupt).
   11. ROOT is 0 or the offset of an element of a section of type ROOT_TYPE
       (ROOT_TYPE 0: of a raw section, elements of its ELEM_SIZE), else
       CORRUPT.
   These rules apply to every minor, 1.0 included: a 1.0 buffer with
   nonzero reserved bytes or a type with no fields is CORRUPT.
   Nothing else is checked: the tables and the string table may lie in any
   order, even overlap each other or sections (writers have no reason to);
   bytes between regions are free (writers write zeros); CAPABILITIES and
   PAD bytes are the application's.
   Reserved words must be zero: a later version can give them a meaning,
   and readers of this one refuse such buffers instead of misreading them.
   What older readers may skip goes after byte 80 (a larger HEADER_SIZE) or
   behind an optional flag bit. Bytes after TOTAL_SIZE are not part of the
   buffer and not covered by the CRC: a reader accepts them, so a buffer can
   sit in a longer stream, a page-rounded file or a mapping (dx_tp_reader
   .size is TOTAL_SIZE).

   Writing. The writer lays out the header, the sections (each at the next
   multiple of its ALIGN; consecutive writes of one type extend a section),
   zeros to a multiple of 8, the section table, the type table, the field
   tables (in type order), and the string table last, with no padding
   before it or after it (TOTAL_SIZE is its end). Strings are stacked in
   the order they were written; at finish the names follow, per type in
   registration order (its name, then its field names), deduplicated
   against the caller's strings with dedup_strings.
   Vectors: the .hex files in tests/vectors/teleport/ begin with the result a
   reader gives ("# expect:"); v1.0/ holds format 1.0's (make_bad.py says
   how each was made).

VERSION HISTORY
   0.2.1 (2026-11-29) fixes from an outsider's reader written from these docs:
                      a failed dx_tp_reader_init leaves an empty reader (its
                      accessors read NULL tables or answered DX_OK on
                      unverified bytes); init refuses type and field names
                      holding a NUL (no layout could match them);
                      error_offset is the header word, entry or element
                      field that failed (was, for a few checks, the word
                      inside an entry); set_root after finish is MISUSE.
                      Docs: zero copy and stride, table bounds, raw roots,
                      writer errors and raw sections, views, string order.
   0.2.0 (2026-11-23) one API family with the other dx headers (renames,
                      old -> new):
                      dx_tp_writer_init(w, cfg) with cfg.buffer/capacity ->
                        dx_tp_writer_init(w, cfg, mem, mem_size) (never
                        allocates) + dx_tp_writer_memory_size(cfg);
                      dx_tp_writer_init(w, cfg) with no buffer (grow mode) ->
                        dx_tp_writer_create(w, cfg);
                      dx_tp_writer_deinit -> dx_tp_writer_destroy;
                      cfg.flags DX_TP_WRITE_CHECKSUM -> cfg.checksum = true;
                      cfg.flags DX_TP_WRITE_DEDUP -> cfg.dedup_strings = true;
                      cfg.string_index (caller array) -> carved from init's
                        mem (string_index_slots stays; 0 = 1024);
                      wire offsets named: DX_TP_HEADER_OFF_*,
                        DX_TP_SECTION_ENTRY_OFF_*, DX_TP_TYPE_ENTRY_OFF_*,
                        DX_TP_FIELD_ENTRY_OFF_*, DX_TP_STR_OFF_*,
                        DX_TP_SLICE_OFF_*; DX_TP_FLAG_CHECKSUM in its own enum.
                      Format 1.1: readers reject nonzero reserved words; a
                      type with no fields is CORRUPT (was LIMIT); well-formed
                      1.0 buffers read as before (the 1.1 rules apply to 1.0
                      buffers too). Views compare layouts field by field
                      and judge zero copy by the section's alignment.
                      New: DX_TP_NO_CRC_TABLE.
   0.1.0 (2026-11-22) first release: writer, verifying reader, layouts,
                      schema evolution, CRC32C, big-endian hosts.
   There is no ABI promise between versions: vendor the header, link statically.
*/
#if defined(DX_IMPLEMENTATION) && !defined(DX_TELEPORT_IMPLEMENTATION)
#define DX_TELEPORT_IMPLEMENTATION
#endif
#ifndef DX_TELEPORT_H
#define DX_TELEPORT_H
/* ---- dx common block v2: identical bytes in every dx header (tests/compile/common_block.sh) ---- */
#ifndef DX_COMMON_VERSION
#define DX_COMMON_VERSION 2
#ifdef DX_CONFIG_HEADER
#include DX_CONFIG_HEADER
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#define DX_INLINE static inline
#define DX_VERSION_PACK(major, minor, patch) ((major) * 1000000u + (minor) * 1000u + (patch))
/* Zero-means-default for config fields (sokol's _sg_def): DXI_DEF(cfg->x, 64). Private. */
#define DXI_DEF(value, default_value) ((value) ? (value) : (default_value))
#if defined(__cplusplus) && __cplusplus >= 201103L
#define DX_STATIC_ASSERT(cond, name) static_assert(cond, #name)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define DX_STATIC_ASSERT(cond, name) _Static_assert(cond, #name)
#else /* C99: a negative array size fails to compile */
#define DX_STATIC_ASSERT(cond, name) typedef char dx_static_assert_##name[(cond) ? 1 : -1]
#endif
#if defined(DX_NO_LIBC)
#ifndef DX_NO_STDIO
#define DX_NO_STDIO
#endif
#ifndef DX_NO_MALLOC
#define DX_NO_MALLOC
#endif
#ifndef DX_NO_ASSERT
#define DX_NO_ASSERT
#endif
#endif
#ifdef __cplusplus
extern "C" {
#endif
/* 0 is success, negative values are errors; functions that count return >= 0 or a dx_result. */
typedef int32_t dx_result;
enum {
    DX_OK = 0,
    DX_ERR_INVAL = -1,        /* a bad argument: NULL, zero size, out-of-range value */
    DX_ERR_NOMEM = -2,        /* the allocator failed, or there is none (DX_NO_MALLOC) */
    DX_ERR_NOSPACE = -3,      /* the caller's buffer is too small */
    DX_ERR_TRUNCATED = -4,    /* input ends early: feed more bytes */
    DX_ERR_CORRUPT = -5,      /* input is malformed */
    DX_ERR_UNSUPPORTED = -6,  /* unknown major version or required flag */
    DX_ERR_LIMIT = -7,        /* a configured or format limit was exceeded */
    DX_ERR_CHECKSUM = -8,     /* a checksum or hash does not match */
    DX_ERR_NOTFOUND = -9,
    DX_ERR_EXISTS = -10,
    DX_ERR_AGAIN = -11,
    DX_ERR_BUSY = -12,
    DX_ERR_TIMEOUT = -13,
    DX_ERR_CANCELED = -14,
    DX_ERR_CLOSED = -15,
    DX_ERR_IO = -16,
    DX_ERR_OS = -17,
    DX_ERR_MISUSE = -18       /* the API was called in the wrong state */
};
/* Runtime allocator; all zero means DX_MALLOC/DX_FREE (none under DX_NO_MALLOC). */
typedef struct dx_allocator {
    void *(*alloc)(size_t size, void *user);
    void (*free)(void *ptr, size_t size, void *user);
    void *user;
} dx_allocator;
/* Little-endian loads and stores: any alignment, any host byte order. Byte by
   byte in general; on a little-endian GCC or Clang target one __builtin_memcpy gives the same
   value and compiles to a single load or store where the target allows
   unaligned ones (Cortex-M4: hundreds of bytes smaller than byte shifts,
   which compilers merge only at -O2). DX_LITTLE_ENDIAN=0 forces the byte path;
   big-endian hosts and other compilers always take it. */
#if !defined(DX_LITTLE_ENDIAN) && (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__) && \
    defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define DX_LITTLE_ENDIAN 1
#endif
#endif
#if defined(DX_LITTLE_ENDIAN) && DX_LITTLE_ENDIAN && (defined(__GNUC__) || defined(__clang__))
#define DXI_LE_COPY(dst, src, n) __builtin_memcpy(dst, src, n)
DX_INLINE uint16_t dx_load_u16le(const void *p) {
    uint16_t v;
    DXI_LE_COPY(&v, p, 2);
    return v;
}
DX_INLINE uint32_t dx_load_u32le(const void *p) {
    uint32_t v;
    DXI_LE_COPY(&v, p, 4);
    return v;
}
DX_INLINE uint64_t dx_load_u64le(const void *p) {
    uint64_t v;
    DXI_LE_COPY(&v, p, 8);
    return v;
}
DX_INLINE void dx_store_u16le(void *p, uint16_t v) { DXI_LE_COPY(p, &v, 2); }
DX_INLINE void dx_store_u32le(void *p, uint32_t v) { DXI_LE_COPY(p, &v, 4); }
DX_INLINE void dx_store_u64le(void *p, uint64_t v) { DXI_LE_COPY(p, &v, 8); }
#else
DX_INLINE uint16_t dx_load_u16le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint16_t)(b[0] | (b[1] << 8));
}
DX_INLINE uint32_t dx_load_u32le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
DX_INLINE uint64_t dx_load_u64le(const void *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint64_t)dx_load_u32le(b) | ((uint64_t)dx_load_u32le(b + 4) << 32);
}
DX_INLINE void dx_store_u16le(void *p, uint16_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
DX_INLINE void dx_store_u32le(void *p, uint32_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}
DX_INLINE void dx_store_u64le(void *p, uint64_t v) {
    dx_store_u32le(p, (uint32_t)v);
    dx_store_u32le((uint8_t *)p + 4, (uint32_t)(v >> 32));
}
#endif
/* The name of a common result code ("" under DX_NO_ERROR_STRINGS). */
DX_INLINE const char *dx_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    switch (r) {
    case DX_OK: return "DX_OK";
    case DX_ERR_INVAL: return "DX_ERR_INVAL";
    case DX_ERR_NOMEM: return "DX_ERR_NOMEM";
    case DX_ERR_NOSPACE: return "DX_ERR_NOSPACE";
    case DX_ERR_TRUNCATED: return "DX_ERR_TRUNCATED";
    case DX_ERR_CORRUPT: return "DX_ERR_CORRUPT";
    case DX_ERR_UNSUPPORTED: return "DX_ERR_UNSUPPORTED";
    case DX_ERR_LIMIT: return "DX_ERR_LIMIT";
    case DX_ERR_CHECKSUM: return "DX_ERR_CHECKSUM";
    case DX_ERR_NOTFOUND: return "DX_ERR_NOTFOUND";
    case DX_ERR_EXISTS: return "DX_ERR_EXISTS";
    case DX_ERR_AGAIN: return "DX_ERR_AGAIN";
    case DX_ERR_BUSY: return "DX_ERR_BUSY";
    case DX_ERR_TIMEOUT: return "DX_ERR_TIMEOUT";
    case DX_ERR_CANCELED: return "DX_ERR_CANCELED";
    case DX_ERR_CLOSED: return "DX_ERR_CLOSED";
    case DX_ERR_IO: return "DX_ERR_IO";
    case DX_ERR_OS: return "DX_ERR_OS";
    case DX_ERR_MISUSE: return "DX_ERR_MISUSE";
    default: return "DX_ERR_UNKNOWN";
    }
#endif
}
#ifdef __cplusplus
}
#endif
#endif /* DX_COMMON_VERSION */
#if DX_COMMON_VERSION < 2
#error "an older dx header was included first; update it"
#endif
/* ---- end of dx common block ---- */
#ifndef DX_TELEPORT_API /* DX_TELEPORT_API > DX_API > static (DX_STATIC / DX_TELEPORT_STATIC) > extern */
#if defined(DX_API)
#define DX_TELEPORT_API DX_API
#elif (defined(DX_STATIC) || defined(DX_TELEPORT_STATIC)) && (defined(__GNUC__) || defined(__clang__))
#define DX_TELEPORT_API static __attribute__((unused))
#elif defined(DX_STATIC) || defined(DX_TELEPORT_STATIC)
#define DX_TELEPORT_API static
#else
#define DX_TELEPORT_API extern
#endif
#endif

#define DX_TELEPORT_VERSION_MAJOR 0
#define DX_TELEPORT_VERSION_MINOR 2
#define DX_TELEPORT_VERSION_PATCH 1
#define DX_TELEPORT_VERSION DX_VERSION_PACK(0, 2, 1)

#ifndef DX_TP_MAX_SECTIONS /* sections one writer holds; each costs 24 bytes in dx_tp_writer */
#define DX_TP_MAX_SECTIONS 64
#endif
#ifndef DX_TP_MAX_TYPES /* struct types one writer registers */
#define DX_TP_MAX_TYPES 16
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DX_TP_ERR_MAGIC = -400, /* not a teleport buffer */
    DX_TP_ERR_SCHEMA = -401 /* the struct layout does not match the buffer's */
};

/* Format version (see WIRE FORMAT): a reader rejects another major, accepts any minor. */
enum {
    DX_TP_FORMAT_MAJOR = 1,
    DX_TP_FORMAT_MINOR = 1
};

/* Header flags (the u32 at DX_TP_HEADER_OFF_FLAGS). */
enum {
    DX_TP_FLAG_CHECKSUM = 1 /* the CRC32C word is set */
};

/* Wire records: the byte offset of each field, used by the writer and the
   reader alike (WIRE FORMAT gives their meaning). */
enum {
    DX_TP_HEADER_OFF_MAGIC = 0,               /* "DXTP" */
    DX_TP_HEADER_OFF_MAJOR = 4,               /* u16 */
    DX_TP_HEADER_OFF_MINOR = 6,               /* u16 */
    DX_TP_HEADER_OFF_FLAGS = 8,               /* u32 DX_TP_FLAG_* */
    DX_TP_HEADER_OFF_HEADER_SIZE = 12,        /* u32 */
    DX_TP_HEADER_OFF_TOTAL_SIZE = 16,         /* u32 */
    DX_TP_HEADER_OFF_CRC = 20,                /* u32 CRC32C */
    DX_TP_HEADER_OFF_CAPABILITIES = 24,       /* u64 */
    DX_TP_HEADER_OFF_FINGERPRINT = 32,        /* u64 */
    DX_TP_HEADER_OFF_ROOT = 40,               /* u32 */
    DX_TP_HEADER_OFF_ROOT_TYPE = 44,          /* u32 */
    DX_TP_HEADER_OFF_SECTION_TABLE = 48,      /* u32 */
    DX_TP_HEADER_OFF_SECTION_COUNT = 52,      /* u32 */
    DX_TP_HEADER_OFF_TYPE_TABLE = 56,         /* u32 */
    DX_TP_HEADER_OFF_TYPE_COUNT = 60,         /* u32 */
    DX_TP_HEADER_OFF_STRING_TABLE = 64,       /* u32 */
    DX_TP_HEADER_OFF_STRING_TABLE_SIZE = 68,  /* u32 */
    DX_TP_HEADER_OFF_RESERVED = 72,           /* 8 bytes, zero */
    DX_TP_HEADER_SIZE = 80
};
enum {
    DX_TP_SECTION_ENTRY_OFF_TYPE_ID = 0,      /* u32, 0 = raw bytes */
    DX_TP_SECTION_ENTRY_OFF_OFFSET = 4,       /* u32 */
    DX_TP_SECTION_ENTRY_OFF_COUNT = 8,        /* u32 */
    DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE = 12,   /* u32 */
    DX_TP_SECTION_ENTRY_OFF_ALIGN = 16,       /* u32 */
    DX_TP_SECTION_ENTRY_OFF_RESERVED = 20,    /* u32, zero */
    DX_TP_SECTION_ENTRY_SIZE = 24
};
enum {
    DX_TP_TYPE_ENTRY_OFF_FINGERPRINT = 0,     /* u64 */
    DX_TP_TYPE_ENTRY_OFF_TYPE_ID = 8,         /* u32 */
    DX_TP_TYPE_ENTRY_OFF_STRUCT_SIZE = 12,    /* u32 */
    DX_TP_TYPE_ENTRY_OFF_ALIGN = 16,          /* u32 */
    DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT = 20,    /* u32 */
    DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE = 24,    /* u32 */
    DX_TP_TYPE_ENTRY_OFF_NAME = 28,           /* STR: off, len */
    DX_TP_TYPE_ENTRY_OFF_RESERVED = 36,       /* u32, zero */
    DX_TP_TYPE_ENTRY_SIZE = 40
};
enum {
    DX_TP_FIELD_ENTRY_OFF_NAME = 0,           /* STR: off, len */
    DX_TP_FIELD_ENTRY_OFF_OFFSET = 8,         /* u32 */
    DX_TP_FIELD_ENTRY_OFF_SIZE = 12,          /* u32 */
    DX_TP_FIELD_ENTRY_OFF_KIND = 16,          /* u32 dx_tp_kind */
    DX_TP_FIELD_ENTRY_OFF_TARGET = 20,        /* u32 target type id */
    DX_TP_FIELD_ENTRY_SIZE = 24
};
/* The u32 pairs inside structs and tables: STR {off, len}, SLICE {offset, count}. */
enum {
    DX_TP_STR_OFF_OFF = 0,
    DX_TP_STR_OFF_LEN = 4,
    DX_TP_STR_SIZE = 8
};
enum {
    DX_TP_SLICE_OFF_OFFSET = 0,
    DX_TP_SLICE_OFF_COUNT = 4,
    DX_TP_SLICE_SIZE = 8
};

typedef enum dx_tp_kind {
    DX_TP_KIND_NONE = 0,
    DX_TP_KIND_U8, DX_TP_KIND_I8, DX_TP_KIND_U16, DX_TP_KIND_I16,
    DX_TP_KIND_U32, DX_TP_KIND_I32, DX_TP_KIND_U64, DX_TP_KIND_I64,
    DX_TP_KIND_F32, DX_TP_KIND_F64,
    DX_TP_KIND_BYTES, /* opaque bytes of any size, never swapped */
    DX_TP_KIND_PAD,   /* explicit padding: write zeros */
    DX_TP_KIND_STR,   /* dx_tp_str */
    DX_TP_KIND_REF,   /* dx_tp_ref to an object of type ref_type */
    DX_TP_KIND_SLICE, /* dx_tp_slice of objects of type ref_type */
    DX_TP_KIND_COUNT,
    DX_TP_KIND_FORCE_32BIT = 0x7fffffff
} dx_tp_kind;

/* References stored inside structs; all are plain integers on the wire. */
typedef uint32_t dx_tp_ref; /* buffer offset of an object; 0 is null */
typedef struct dx_tp_str { uint32_t off; uint32_t len; } dx_tp_str;
typedef struct dx_tp_slice { uint32_t off; uint32_t count; } dx_tp_slice;

typedef struct dx_tp_field {
    const char *name;
    uint32_t offset;
    uint32_t size;
    dx_tp_kind kind;
    uint32_t ref_type; /* REF and SLICE: the type id pointed at */
} dx_tp_field;

typedef struct dx_tp_layout {
    uint32_t type_id; /* nonzero, chosen by the application */
    const char *name;
    uint32_t size; /* sizeof the struct */
    const dx_tp_field *fields;
    uint32_t field_count;
} dx_tp_layout;

#define DX_TP_FIELD(type, member, kind) \
    { #member, (uint32_t)offsetof(type, member), (uint32_t)sizeof(((type *)0)->member), kind, 0 }
#define DX_TP_FIELD_REF(type, member, kind, target_type_id) \
    { #member, (uint32_t)offsetof(type, member), (uint32_t)sizeof(((type *)0)->member), kind, target_type_id }
#define DX_TP_LAYOUT(type_id, type, fields) \
    { type_id, #type, (uint32_t)sizeof(type), fields, (uint32_t)(sizeof(fields) / sizeof((fields)[0])) }

typedef struct dx_tp_writer_config {
    dx_allocator allocator;    /* dx_tp_writer_create: the growing buffer and index */
    size_t initial_capacity;   /* dx_tp_writer_create: first block; 0 = 64 KiB */
    uint64_t capabilities;     /* copied into the header */
    size_t string_index_slots; /* dedup index slots, a power of two; 0 = 1024 */
    bool checksum;             /* store a CRC32C of the whole buffer */
    bool dedup_strings;        /* store identical strings once (through an index) */
} dx_tp_writer_config;

typedef struct dx_tp_wsection {
    uint32_t type_id, offset, count, elem_size, align, type_index;
} dx_tp_wsection;

typedef struct dx_tp_writer {
    uint8_t *buf;
    size_t cap;
    size_t head; /* bytes used at the front: header and sections */
    size_t tail; /* bytes used at the back: the string table */
    dx_allocator allocator;
    bool grows; /* made by dx_tp_writer_create: buf and index are ours */
    bool finished;
    bool checksum;
    dx_result error;
    uint64_t capabilities;
    uint32_t root, root_type;
    uint64_t *index;
    size_t index_slots, index_used;
    uint32_t type_count, section_count;
    const dx_tp_layout *types[DX_TP_MAX_TYPES];
    uint32_t type_align[DX_TP_MAX_TYPES];
    dx_tp_wsection sections[DX_TP_MAX_SECTIONS];
} dx_tp_writer;

typedef struct dx_tp_reader {
    const uint8_t *base;
    size_t size;
    uint32_t version_minor, flags;
    uint64_t capabilities, fingerprint;
    uint32_t root, root_type;
    uint32_t section_count, type_count;
    const uint8_t *sections, *types;
    const uint8_t *strtab_end;
    uint32_t strtab_size;
    size_t error_offset; /* where init found the problem */
} dx_tp_reader;

typedef struct dx_tp_section_info {
    uint32_t type_id, offset, count, elem_size, align;
} dx_tp_section_info;

typedef struct dx_tp_view {
    const uint8_t *data;
    uint32_t count;
    uint32_t stride;     /* bytes between elements in the buffer */
    uint32_t copy_size;  /* bytes the buffer and the layout share */
    bool zero_copy;      /* dx_tp_view_at may be used as the struct */
    const dx_tp_layout *layout;
} dx_tp_view;

typedef struct dx_tp_type_info {
    uint64_t fingerprint;
    uint32_t type_id, size, align, field_count;
    const char *name;
} dx_tp_type_info;

typedef struct dx_tp_field_info {
    const char *name;
    dx_tp_kind kind;
    uint32_t offset, size, ref_type;
} dx_tp_field_info;

DX_TELEPORT_API uint64_t dx_tp_layout_fingerprint(const dx_tp_layout *l);
DX_TELEPORT_API dx_result dx_tp_layout_check(const dx_tp_layout *l);

DX_TELEPORT_API size_t dx_tp_writer_memory_size(const dx_tp_writer_config *cfg);
DX_TELEPORT_API dx_result dx_tp_writer_init(dx_tp_writer *w, const dx_tp_writer_config *cfg, void *mem, size_t mem_size);
DX_TELEPORT_API dx_result dx_tp_writer_create(dx_tp_writer *w, const dx_tp_writer_config *cfg);
DX_TELEPORT_API void dx_tp_writer_destroy(dx_tp_writer *w);
DX_TELEPORT_API dx_result dx_tp_writer_add_layout(dx_tp_writer *w, const dx_tp_layout *l);
DX_TELEPORT_API dx_tp_ref dx_tp_write(dx_tp_writer *w, uint32_t type_id, const void *obj);
DX_TELEPORT_API dx_tp_slice dx_tp_write_slice(dx_tp_writer *w, uint32_t type_id, const void *items, size_t count);
DX_TELEPORT_API void *dx_tp_writer_reserve(dx_tp_writer *w, uint32_t type_id, size_t count, dx_tp_slice *out);
DX_TELEPORT_API dx_tp_ref dx_tp_write_raw(dx_tp_writer *w, const void *bytes, size_t len, size_t align);
DX_TELEPORT_API dx_tp_str dx_tp_write_string(dx_tp_writer *w, const char *s, size_t len);
DX_TELEPORT_API dx_tp_str dx_tp_write_cstr(dx_tp_writer *w, const char *s);
DX_TELEPORT_API void dx_tp_writer_set_root(dx_tp_writer *w, uint32_t type_id, dx_tp_ref root);
DX_TELEPORT_API dx_result dx_tp_writer_finish(dx_tp_writer *w, const uint8_t **out_buf, size_t *out_len);
DX_TELEPORT_API dx_result dx_tp_writer_error(const dx_tp_writer *w);

DX_TELEPORT_API dx_result dx_tp_reader_init(dx_tp_reader *r, const void *buf, size_t len);
DX_TELEPORT_API int32_t dx_tp_reader_find(const dx_tp_reader *r, uint32_t type_id, uint32_t start);
DX_TELEPORT_API dx_result dx_tp_reader_section(const dx_tp_reader *r, uint32_t index, dx_tp_section_info *out);
DX_TELEPORT_API dx_result dx_tp_reader_view(const dx_tp_reader *r, int32_t section, const dx_tp_layout *l, dx_tp_view *out);
DX_TELEPORT_API void dx_tp_view_read(const dx_tp_view *v, uint32_t i, void *out);
DX_TELEPORT_API dx_result dx_tp_reader_resolve(const dx_tp_reader *r, dx_tp_ref ref, uint32_t type_id, int32_t *out_section, uint32_t *out_index);
DX_TELEPORT_API dx_result dx_tp_reader_root(const dx_tp_reader *r, int32_t *out_section, uint32_t *out_index);
DX_TELEPORT_API dx_result dx_tp_reader_type(const dx_tp_reader *r, uint32_t index, dx_tp_type_info *out);
DX_TELEPORT_API dx_result dx_tp_reader_field(const dx_tp_reader *r, uint32_t type_index, uint32_t field, dx_tp_field_info *out);
DX_TELEPORT_API const char *dx_tp_result_name(dx_result r);
DX_TELEPORT_API uint32_t dx_tp_crc32c(uint32_t crc, const void *data, size_t len);

/* Element i of a view (i < v->count): the struct itself when v->zero_copy. */
DX_INLINE const void *dx_tp_view_at(const dx_tp_view *v, uint32_t i) {
    return v->data + (size_t)i * v->stride;
}

/* A string from the verified buffer; "" (length 0) for a reference that is
   not valid, so even unverified references cannot read out of bounds. */
DX_INLINE const char *dx_tp_reader_string(const dx_tp_reader *r, dx_tp_str s, uint32_t *out_len) {
    if (s.len < s.off && s.off <= r->strtab_size && (r->strtab_end - s.off)[s.len] == 0) {
        if (out_len) *out_len = s.len;
        return (const char *)(r->strtab_end - s.off);
    }
    if (out_len) *out_len = 0;
    return "";
}

#ifdef __cplusplus
}
#endif
#endif /* DX_TELEPORT_H */

/* ===== STOP HERE if you only need the API. Below is the implementation. ===== */

#if defined(DX_TELEPORT_IMPLEMENTATION) && !defined(DX_TELEPORT_IMPLEMENTATION_DONE)
#define DX_TELEPORT_IMPLEMENTATION_DONE

/* ---- dx common implementation block v1: defaults shared by every dx header, each under #ifndef;
   identical bytes in every header (tests/compile/common_block.sh) ---- */
#ifndef DX_ASSERT
#if defined(DX_NO_ASSERT)
#define DX_ASSERT(c) ((void)0)
#else
#include <assert.h>
#define DX_ASSERT(c) assert(c)
#endif
#endif
#if defined(DX_MALLOC) != defined(DX_FREE)
#error "define both DX_MALLOC and DX_FREE, or neither"
#endif
#if !defined(DX_MALLOC) && !defined(DX_NO_MALLOC)
#include <stdlib.h>
#define DX_MALLOC(size, user) ((void)(user), malloc(size))
#define DX_FREE(ptr, size, user) ((void)(size), (void)(user), free(ptr))
#define DXI_LIBC_MALLOC 1 /* DX_MALLOC is malloc: calloc(3) may stand in for it */
#endif
#if !defined(DX_MEMCPY) && defined(DX_NO_LIBC)
#define DX_MEMCPY __builtin_memcpy
#define DX_MEMMOVE __builtin_memmove
#define DX_MEMSET __builtin_memset
#define DX_MEMCMP __builtin_memcmp
#elif !defined(DX_MEMCPY)
#include <string.h>
#define DX_MEMCPY memcpy
#define DX_MEMMOVE memmove
#define DX_MEMSET memset
#define DX_MEMCMP memcmp
#endif
#ifndef DXI_PRIVATE
#if defined(__GNUC__) || defined(__clang__)
#define DXI_PRIVATE static __attribute__((unused))
#else
#define DXI_PRIVATE static
#endif
#endif
/* ---- end of dx common implementation block ---- */

#ifndef DX_TP_MAX_FIELDS /* fields per struct type, writer and reader */
#define DX_TP_MAX_FIELDS 256
#endif
#define DXI_TP_LIMIT 0xffffffffu       /* buffers are addressed by u32 offsets */
#define DXI_TP_READ_MAX_TYPES 256u     /* reader bounds keep hostile tables cheap */
#define DXI_TP_READ_MAX_SECTIONS 65536u
#define DXI_TP_MAX_ALIGN 4096u
#define DXI_TP_FNV_BASIS 0xcbf29ce484222325ull
#define DXI_TP_FNV_PRIME 0x100000001b3ull

DX_STATIC_ASSERT(sizeof(dx_tp_str) == 8, dx_tp_str_size);
DX_STATIC_ASSERT(offsetof(dx_tp_str, len) == 4, dx_tp_str_len);
DX_STATIC_ASSERT(sizeof(dx_tp_slice) == 8, dx_tp_slice_size);
DX_STATIC_ASSERT(offsetof(dx_tp_slice, count) == 4, dx_tp_slice_count);
DX_STATIC_ASSERT(sizeof(dx_tp_ref) == 4, dx_tp_ref_size);
DX_STATIC_ASSERT(sizeof(dx_tp_kind) == 4, dx_tp_kind_size);

DXI_PRIVATE bool dxi_tp_host_le(void) {
#if defined(DX_LITTLE_ENDIAN)
    return DX_LITTLE_ENDIAN != 0;
#else
    const uint16_t one = 1;
    uint8_t first;
    DX_MEMCPY(&first, &one, 1);
    return first == 1; /* folded to a constant by any optimizing compiler */
#endif
}

DXI_PRIVATE bool dxi_tp_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

/* Per kind: wire size in the low 4 bits (0 = any size: BYTES, PAD) and
   natural alignment in the high 4 bits (STR and SLICE are pairs of u32). */
static const uint8_t dxi_tp_kinds[DX_TP_KIND_COUNT] = {
    0x10,       /* NONE (never valid) */
    0x11, 0x11, /* U8 I8 */
    0x22, 0x22, /* U16 I16 */
    0x44, 0x44, /* U32 I32 */
    0x88, 0x88, /* U64 I64 */
    0x44, 0x88, /* F32 F64 */
    0x10, 0x10, /* BYTES PAD */
    0x48, 0x44, /* STR REF */
    0x48,       /* SLICE */
};

DXI_PRIVATE uint32_t dxi_tp_kind_size(uint32_t kind) {
    return kind < DX_TP_KIND_COUNT ? dxi_tp_kinds[kind] & 15u : 0;
}

DXI_PRIVATE uint32_t dxi_tp_kind_align(uint32_t kind) {
    return kind < DX_TP_KIND_COUNT ? (uint32_t)dxi_tp_kinds[kind] >> 4 : 1;
}

DXI_PRIVATE bool dxi_tp_kind_is_ref(uint32_t kind) {
    return kind == DX_TP_KIND_STR || kind == DX_TP_KIND_REF || kind == DX_TP_KIND_SLICE;
}

/* ---- fingerprints: FNV-1a 64 over a canonical little-endian encoding ---- */

DXI_PRIVATE uint64_t dxi_tp_fnv(uint64_t h, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    size_t i;
    for (i = 0; i < len; i++) h = (h ^ p[i]) * DXI_TP_FNV_PRIME;
    return h;
}

DXI_PRIVATE uint64_t dxi_tp_fnv_u32(uint64_t h, uint32_t v) {
    uint8_t b[4];
    dx_store_u32le(b, v);
    return dxi_tp_fnv(h, b, 4);
}

DXI_PRIVATE uint64_t dxi_tp_fp_type(uint32_t type_id, uint32_t size, uint32_t field_count) {
    uint64_t h = dxi_tp_fnv_u32(DXI_TP_FNV_BASIS, type_id);
    return dxi_tp_fnv_u32(dxi_tp_fnv_u32(h, size), field_count);
}

DXI_PRIVATE uint64_t dxi_tp_fp_field(uint64_t h, const char *name, size_t name_len, uint32_t kind,
                                     uint32_t offset, uint32_t size, uint32_t ref_type) {
    static const uint8_t zero = 0;
    h = dxi_tp_fnv(dxi_tp_fnv(h, name, name_len), &zero, 1);
    h = dxi_tp_fnv_u32(dxi_tp_fnv_u32(h, kind), offset);
    return dxi_tp_fnv_u32(dxi_tp_fnv_u32(h, size), ref_type);
}

DXI_PRIVATE size_t dxi_tp_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

DXI_PRIVATE dx_tp_str dxi_tp_load_str(const uint8_t *p) {
    dx_tp_str s;
    s.off = dx_load_u32le(p + DX_TP_STR_OFF_OFF);
    s.len = dx_load_u32le(p + DX_TP_STR_OFF_LEN);
    return s;
}

DXI_PRIVATE void dxi_tp_store_str(uint8_t *p, dx_tp_str s) {
    dx_store_u32le(p + DX_TP_STR_OFF_OFF, s.off);
    dx_store_u32le(p + DX_TP_STR_OFF_LEN, s.len);
}

DX_TELEPORT_API uint64_t dx_tp_layout_fingerprint(const dx_tp_layout *l) {
    uint64_t h;
    uint32_t i;
    if (!l || !l->fields) return 0;
    h = dxi_tp_fp_type(l->type_id, l->size, l->field_count);
    for (i = 0; i < l->field_count; i++) {
        const dx_tp_field *f = &l->fields[i];
        const char *name = f->name ? f->name : "";
        h = dxi_tp_fp_field(h, name, dxi_tp_strlen(name), (uint32_t)f->kind, f->offset, f->size, f->ref_type);
    }
    return h;
}

DXI_PRIVATE uint32_t dxi_tp_layout_align(const dx_tp_layout *l) {
    uint32_t i, align = 1;
    for (i = 0; i < l->field_count; i++) {
        uint32_t a = dxi_tp_kind_align((uint32_t)l->fields[i].kind);
        if (a > align) align = a;
    }
    return align;
}

DX_TELEPORT_API dx_result dx_tp_layout_check(const dx_tp_layout *l) {
    uint32_t i, pos = 0;
    if (!l || l->type_id == 0 || l->size == 0 || !l->fields || l->field_count == 0 ||
        l->field_count > DX_TP_MAX_FIELDS)
        return DX_ERR_INVAL;
    for (i = 0; i < l->field_count; i++) {
        const dx_tp_field *f = &l->fields[i];
        uint32_t kind = (uint32_t)f->kind, want = dxi_tp_kind_size(kind);
        bool is_link = kind == DX_TP_KIND_REF || kind == DX_TP_KIND_SLICE;
        if (!f->name || kind == DX_TP_KIND_NONE || kind >= DX_TP_KIND_COUNT) return DX_ERR_INVAL;
        if (f->size == 0 || (want && f->size != want) || f->offset != pos) return DX_ERR_INVAL;
        if (f->size > l->size - pos || f->offset % dxi_tp_kind_align(kind) != 0) return DX_ERR_INVAL;
        if (is_link != (f->ref_type != 0)) return DX_ERR_INVAL;
        pos += f->size;
    }
    if (pos != l->size || l->size % dxi_tp_layout_align(l) != 0) return DX_ERR_INVAL;
    return DX_OK;
}

/* Byte-swaps the fields of one struct that end within limit bytes; used only
   on big-endian hosts, where structs are host order and the wire is LE. */
DXI_PRIVATE void dxi_tp_swap(uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n / 2; i++) {
        uint8_t t = p[i];
        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

DXI_PRIVATE void dxi_tp_swap_struct(uint8_t *p, const dx_tp_layout *l, uint32_t limit) {
    uint32_t i;
    for (i = 0; i < l->field_count; i++) {
        const dx_tp_field *f = &l->fields[i];
        uint32_t kind = (uint32_t)f->kind;
        if (f->offset + f->size > limit) break;
        if (kind == DX_TP_KIND_STR || kind == DX_TP_KIND_SLICE) {
            dxi_tp_swap(p + f->offset, 4);
            dxi_tp_swap(p + f->offset + 4, 4);
        } else if (dxi_tp_kind_size(kind) > 1) {
            dxi_tp_swap(p + f->offset, f->size);
        }
    }
}

/* ---- CRC32C (Castagnoli, reflected polynomial 0x82f63b78) ---- */

#if !defined(DX_TP_NO_CRC_TABLE)
static const uint32_t dxi_tp_crc_table[256] = {
    0x00000000u, 0xf26b8303u, 0xe13b70f7u, 0x1350f3f4u, 0xc79a971fu, 0x35f1141cu,
    0x26a1e7e8u, 0xd4ca64ebu, 0x8ad958cfu, 0x78b2dbccu, 0x6be22838u, 0x9989ab3bu,
    0x4d43cfd0u, 0xbf284cd3u, 0xac78bf27u, 0x5e133c24u, 0x105ec76fu, 0xe235446cu,
    0xf165b798u, 0x030e349bu, 0xd7c45070u, 0x25afd373u, 0x36ff2087u, 0xc494a384u,
    0x9a879fa0u, 0x68ec1ca3u, 0x7bbcef57u, 0x89d76c54u, 0x5d1d08bfu, 0xaf768bbcu,
    0xbc267848u, 0x4e4dfb4bu, 0x20bd8edeu, 0xd2d60dddu, 0xc186fe29u, 0x33ed7d2au,
    0xe72719c1u, 0x154c9ac2u, 0x061c6936u, 0xf477ea35u, 0xaa64d611u, 0x580f5512u,
    0x4b5fa6e6u, 0xb93425e5u, 0x6dfe410eu, 0x9f95c20du, 0x8cc531f9u, 0x7eaeb2fau,
    0x30e349b1u, 0xc288cab2u, 0xd1d83946u, 0x23b3ba45u, 0xf779deaeu, 0x05125dadu,
    0x1642ae59u, 0xe4292d5au, 0xba3a117eu, 0x4851927du, 0x5b016189u, 0xa96ae28au,
    0x7da08661u, 0x8fcb0562u, 0x9c9bf696u, 0x6ef07595u, 0x417b1dbcu, 0xb3109ebfu,
    0xa0406d4bu, 0x522bee48u, 0x86e18aa3u, 0x748a09a0u, 0x67dafa54u, 0x95b17957u,
    0xcba24573u, 0x39c9c670u, 0x2a993584u, 0xd8f2b687u, 0x0c38d26cu, 0xfe53516fu,
    0xed03a29bu, 0x1f682198u, 0x5125dad3u, 0xa34e59d0u, 0xb01eaa24u, 0x42752927u,
    0x96bf4dccu, 0x64d4cecfu, 0x77843d3bu, 0x85efbe38u, 0xdbfc821cu, 0x2997011fu,
    0x3ac7f2ebu, 0xc8ac71e8u, 0x1c661503u, 0xee0d9600u, 0xfd5d65f4u, 0x0f36e6f7u,
    0x61c69362u, 0x93ad1061u, 0x80fde395u, 0x72966096u, 0xa65c047du, 0x5437877eu,
    0x4767748au, 0xb50cf789u, 0xeb1fcbadu, 0x197448aeu, 0x0a24bb5au, 0xf84f3859u,
    0x2c855cb2u, 0xdeeedfb1u, 0xcdbe2c45u, 0x3fd5af46u, 0x7198540du, 0x83f3d70eu,
    0x90a324fau, 0x62c8a7f9u, 0xb602c312u, 0x44694011u, 0x5739b3e5u, 0xa55230e6u,
    0xfb410cc2u, 0x092a8fc1u, 0x1a7a7c35u, 0xe811ff36u, 0x3cdb9bddu, 0xceb018deu,
    0xdde0eb2au, 0x2f8b6829u, 0x82f63b78u, 0x709db87bu, 0x63cd4b8fu, 0x91a6c88cu,
    0x456cac67u, 0xb7072f64u, 0xa457dc90u, 0x563c5f93u, 0x082f63b7u, 0xfa44e0b4u,
    0xe9141340u, 0x1b7f9043u, 0xcfb5f4a8u, 0x3dde77abu, 0x2e8e845fu, 0xdce5075cu,
    0x92a8fc17u, 0x60c37f14u, 0x73938ce0u, 0x81f80fe3u, 0x55326b08u, 0xa759e80bu,
    0xb4091bffu, 0x466298fcu, 0x1871a4d8u, 0xea1a27dbu, 0xf94ad42fu, 0x0b21572cu,
    0xdfeb33c7u, 0x2d80b0c4u, 0x3ed04330u, 0xccbbc033u, 0xa24bb5a6u, 0x502036a5u,
    0x4370c551u, 0xb11b4652u, 0x65d122b9u, 0x97baa1bau, 0x84ea524eu, 0x7681d14du,
    0x2892ed69u, 0xdaf96e6au, 0xc9a99d9eu, 0x3bc21e9du, 0xef087a76u, 0x1d63f975u,
    0x0e330a81u, 0xfc588982u, 0xb21572c9u, 0x407ef1cau, 0x532e023eu, 0xa145813du,
    0x758fe5d6u, 0x87e466d5u, 0x94b49521u, 0x66df1622u, 0x38cc2a06u, 0xcaa7a905u,
    0xd9f75af1u, 0x2b9cd9f2u, 0xff56bd19u, 0x0d3d3e1au, 0x1e6dcdeeu, 0xec064eedu,
    0xc38d26c4u, 0x31e6a5c7u, 0x22b65633u, 0xd0ddd530u, 0x0417b1dbu, 0xf67c32d8u,
    0xe52cc12cu, 0x1747422fu, 0x49547e0bu, 0xbb3ffd08u, 0xa86f0efcu, 0x5a048dffu,
    0x8ecee914u, 0x7ca56a17u, 0x6ff599e3u, 0x9d9e1ae0u, 0xd3d3e1abu, 0x21b862a8u,
    0x32e8915cu, 0xc083125fu, 0x144976b4u, 0xe622f5b7u, 0xf5720643u, 0x07198540u,
    0x590ab964u, 0xab613a67u, 0xb831c993u, 0x4a5a4a90u, 0x9e902e7bu, 0x6cfbad78u,
    0x7fab5e8cu, 0x8dc0dd8fu, 0xe330a81au, 0x115b2b19u, 0x020bd8edu, 0xf0605beeu,
    0x24aa3f05u, 0xd6c1bc06u, 0xc5914ff2u, 0x37faccf1u, 0x69e9f0d5u, 0x9b8273d6u,
    0x88d28022u, 0x7ab90321u, 0xae7367cau, 0x5c18e4c9u, 0x4f48173du, 0xbd23943eu,
    0xf36e6f75u, 0x0105ec76u, 0x12551f82u, 0xe03e9c81u, 0x34f4f86au, 0xc69f7b69u,
    0xd5cf889du, 0x27a40b9eu, 0x79b737bau, 0x8bdcb4b9u, 0x988c474du, 0x6ae7c44eu,
    0xbe2da0a5u, 0x4c4623a6u, 0x5f16d052u, 0xad7d5351u,
};

DXI_PRIVATE uint32_t dxi_tp_crc32c_soft(uint32_t crc, const uint8_t *p, size_t len) {
    while (len--) crc = dxi_tp_crc_table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    return crc;
}
#else
/* DX_TP_NO_CRC_TABLE: bit by bit, no table: 1 KiB less code for about an
   eighth of the speed (small firmware checking small buffers). */
DXI_PRIVATE uint32_t dxi_tp_crc32c_soft(uint32_t crc, const uint8_t *p, size_t len) {
    int k;
    while (len--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return crc;
}
#endif

/* x86-64 has CRC32C in hardware (SSE4.2): about 10x the table, checked at
   run time, so a baseline build still runs on any x86-64. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__) && !defined(DX_NO_LIBC)
#define DXI_TP_CRC_X86 1
__attribute__((target("sse4.2"))) DXI_PRIVATE uint32_t dxi_tp_crc32c_sse42(uint32_t crc, const uint8_t *p, size_t len) {
    uint64_t c = crc;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t v;
        DX_MEMCPY(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
    }
    while (len--) c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return (uint32_t)c;
}
#endif

DX_TELEPORT_API uint32_t dx_tp_crc32c(uint32_t crc, const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
#if defined(DXI_TP_CRC_X86)
    if (__builtin_cpu_supports("sse4.2")) return ~dxi_tp_crc32c_sse42(~crc, p, len);
#endif
    return ~dxi_tp_crc32c_soft(~crc, p, len);
}

/* ---- writer ---- */

DXI_PRIVATE void *dxi_tp_alloc(const dx_allocator *a, size_t size) {
    if (a->alloc) return a->alloc(size, a->user);
#if defined(DX_NO_MALLOC)
    (void)size;
    return NULL;
#else
    return DX_MALLOC(size, a->user);
#endif
}

DXI_PRIVATE void dxi_tp_free(const dx_allocator *a, void *ptr, size_t size) {
    if (!ptr) return;
    if (a->free) {
        a->free(ptr, size, a->user);
        return;
    }
#if defined(DX_NO_MALLOC)
    (void)size;
#else
    DX_FREE(ptr, size, a->user);
#endif
}

DXI_PRIVATE dx_result dxi_tp_fail(dx_tp_writer *w, dx_result err) {
    if (w->error == DX_OK) w->error = err;
    return w->error;
}

/* Makes room for front bytes after the data and back bytes before the
   string table. Growing copies the front to the front and the back to the
   back of the new block: string references count from the end, so they
   stay valid. */
DXI_PRIVATE bool dxi_tp_room(dx_tp_writer *w, size_t front, size_t back) {
    size_t used = w->head + w->tail, free_bytes = w->cap - used, limit_left = DXI_TP_LIMIT - used;
    size_t need, new_cap;
    uint8_t *nb;
    if (w->error != DX_OK) return false;
    if (w->finished) return dxi_tp_fail(w, DX_ERR_MISUSE), false;
    if (front > limit_left || back > limit_left - front) return dxi_tp_fail(w, DX_ERR_LIMIT), false;
    if (front <= free_bytes && back <= free_bytes - front) return true;
    if (!w->grows) return dxi_tp_fail(w, DX_ERR_NOSPACE), false;
    need = used + front + back;
    new_cap = w->cap;
    while (new_cap < need) new_cap = new_cap <= DXI_TP_LIMIT / 2 ? new_cap * 2 : need;
    nb = (uint8_t *)dxi_tp_alloc(&w->allocator, new_cap);
    if (!nb) return dxi_tp_fail(w, DX_ERR_NOMEM), false;
    DX_MEMCPY(nb, w->buf, w->head);
    if (w->tail) DX_MEMCPY(nb + new_cap - w->tail, w->buf + w->cap - w->tail, w->tail);
    dxi_tp_free(&w->allocator, w->buf, w->cap);
    w->buf = nb;
    w->cap = new_cap;
    return true;
}

/* Dedup index slots a config asks for; 0 without dedup or when the count is
   not a power of two that fits the u32 offsets it holds and a size_t. */
DXI_PRIVATE size_t dxi_tp_index_slots(const dx_tp_writer_config *cfg) {
    size_t slots = DXI_DEF(cfg->string_index_slots, 1024);
    if (!cfg->dedup_strings) return 0;
    if ((slots & (slots - 1)) != 0 || slots > DXI_TP_LIMIT || slots > ((size_t)-1 - 256) / sizeof(uint64_t)) return 0;
    return slots;
}

/* What init and create share: the config, an empty header, an empty index. */
DXI_PRIVATE void dxi_tp_writer_setup(dx_tp_writer *w, const dx_tp_writer_config *cfg, uint8_t *buf, size_t cap,
                                     uint64_t *index, size_t slots) {
    w->allocator = cfg->allocator;
    w->checksum = cfg->checksum;
    w->capabilities = cfg->capabilities;
    w->buf = buf;
    w->cap = cap;
    w->index = index;
    w->index_slots = slots;
    if (index) DX_MEMSET(index, 0, slots * sizeof(uint64_t));
    DX_MEMSET(buf, 0, DX_TP_HEADER_SIZE);
    w->head = DX_TP_HEADER_SIZE;
}

DX_TELEPORT_API size_t dx_tp_writer_memory_size(const dx_tp_writer_config *cfg) {
    size_t slots;
    if (!cfg) return 0;
    slots = dxi_tp_index_slots(cfg);
    if (cfg->dedup_strings && slots == 0) return 0;
    /* the index sits 8-aligned at the end of mem: up to 7 bytes go to alignment */
    return DX_TP_HEADER_SIZE + (slots ? slots * sizeof(uint64_t) + 7 : 0);
}

DX_TELEPORT_API dx_result dx_tp_writer_init(dx_tp_writer *w, const dx_tp_writer_config *cfg, void *mem,
                                            size_t mem_size) {
    size_t need, slots, cap = mem_size;
    uint64_t *index = NULL;
    if (!w) return DX_ERR_INVAL;
    DX_MEMSET(w, 0, sizeof *w);
    need = dx_tp_writer_memory_size(cfg);
    if (need == 0) return w->error = DX_ERR_INVAL;
    if (!mem || mem_size < need) return w->error = DX_ERR_NOSPACE;
    slots = dxi_tp_index_slots(cfg);
    if (slots) { /* the buffer keeps the caller's alignment; the index takes the end */
        uintptr_t at = ((uintptr_t)mem + mem_size - slots * sizeof(uint64_t)) & ~(uintptr_t)7;
        index = (uint64_t *)(void *)at;
        cap = (size_t)(at - (uintptr_t)mem);
    }
    dxi_tp_writer_setup(w, cfg, (uint8_t *)mem, cap, index, slots);
    return DX_OK;
}

DX_TELEPORT_API dx_result dx_tp_writer_create(dx_tp_writer *w, const dx_tp_writer_config *cfg) {
    size_t cap, slots;
    uint8_t *buf;
    uint64_t *index = NULL;
    if (!w) return DX_ERR_INVAL;
    DX_MEMSET(w, 0, sizeof *w);
    if (dx_tp_writer_memory_size(cfg) == 0 || (!cfg->allocator.alloc != !cfg->allocator.free))
        return w->error = DX_ERR_INVAL;
    cap = DXI_DEF(cfg->initial_capacity, 65536);
    if (cap < 256) cap = 256;
    slots = dxi_tp_index_slots(cfg);
    buf = (uint8_t *)dxi_tp_alloc(&cfg->allocator, cap);
    if (!buf) return w->error = DX_ERR_NOMEM;
    if (slots && !(index = (uint64_t *)dxi_tp_alloc(&cfg->allocator, slots * sizeof(uint64_t)))) {
        dxi_tp_free(&cfg->allocator, buf, cap);
        return w->error = DX_ERR_NOMEM;
    }
    dxi_tp_writer_setup(w, cfg, buf, cap, index, slots);
    w->grows = true;
    return DX_OK;
}

DX_TELEPORT_API void dx_tp_writer_destroy(dx_tp_writer *w) {
    if (!w) return;
    if (w->grows) {
        dxi_tp_free(&w->allocator, w->buf, w->cap);
        dxi_tp_free(&w->allocator, w->index, w->index_slots * sizeof(uint64_t));
    }
    DX_MEMSET(w, 0, sizeof *w);
}

DX_TELEPORT_API dx_result dx_tp_writer_error(const dx_tp_writer *w) { return w ? w->error : DX_ERR_INVAL; }

DX_TELEPORT_API dx_result dx_tp_writer_add_layout(dx_tp_writer *w, const dx_tp_layout *l) {
    uint32_t i;
    if (!w) return DX_ERR_INVAL;
    if (w->error != DX_OK) return w->error;
    if (w->finished) return dxi_tp_fail(w, DX_ERR_MISUSE);
    if (dx_tp_layout_check(l) != DX_OK) return dxi_tp_fail(w, DX_ERR_INVAL);
    for (i = 0; i < w->type_count; i++)
        if (w->types[i]->type_id == l->type_id) return dxi_tp_fail(w, DX_ERR_EXISTS);
    if (w->type_count == DX_TP_MAX_TYPES) return dxi_tp_fail(w, DX_ERR_LIMIT);
    w->type_align[w->type_count] = dxi_tp_layout_align(l);
    w->types[w->type_count++] = l;
    return DX_OK;
}

/* Appends count elements to the section being written, or opens a new
   section; returns where they go (NULL on error) and their offset. */
DXI_PRIVATE uint8_t *dxi_tp_append(dx_tp_writer *w, uint32_t type_id, uint32_t type_index, uint32_t elem_size,
                                   uint32_t align, size_t count, uint32_t *out_off) {
    dx_tp_wsection *last = w->section_count ? &w->sections[w->section_count - 1] : NULL;
    size_t pad = 0, bytes, off;
    bool extend = last && last->type_id == type_id && w->head % align == 0 && align <= last->align &&
                  (size_t)last->offset + (size_t)last->count * last->elem_size == w->head &&
                  count <= DXI_TP_LIMIT - last->count;
    *out_off = 0;
    if (w->error != DX_OK) return NULL;
    if (count > DXI_TP_LIMIT / elem_size) return dxi_tp_fail(w, DX_ERR_LIMIT), (uint8_t *)NULL;
    bytes = count * elem_size;
    if (!extend) {
        if (w->section_count == DX_TP_MAX_SECTIONS) return dxi_tp_fail(w, DX_ERR_LIMIT), (uint8_t *)NULL;
        pad = (align - w->head % align) % align;
    }
    if (!dxi_tp_room(w, pad + bytes, 0)) return NULL;
    DX_MEMSET(w->buf + w->head, 0, pad);
    w->head += pad;
    if (!extend) {
        last = &w->sections[w->section_count++];
        last->type_id = type_id;
        last->offset = (uint32_t)w->head;
        last->count = 0;
        last->elem_size = elem_size;
        last->align = align;
        last->type_index = type_index;
    }
    off = w->head;
    last->count += (uint32_t)count;
    w->head += bytes;
    *out_off = (uint32_t)off;
    return w->buf + off;
}

DXI_PRIVATE uint8_t *dxi_tp_append_typed(dx_tp_writer *w, uint32_t type_id, size_t count, uint32_t *out_off) {
    uint32_t i;
    *out_off = 0;
    if (w->error != DX_OK) return NULL;
    for (i = 0; i < w->type_count; i++)
        if (w->types[i]->type_id == type_id)
            return dxi_tp_append(w, type_id, i, w->types[i]->size, w->type_align[i], count, out_off);
    dxi_tp_fail(w, DX_ERR_MISUSE); /* dx_tp_writer_add_layout first */
    return NULL;
}

DX_TELEPORT_API dx_tp_ref dx_tp_write(dx_tp_writer *w, uint32_t type_id, const void *obj) {
    uint32_t off;
    uint8_t *dst;
    if (!w || !obj) return w ? (dxi_tp_fail(w, DX_ERR_INVAL), 0u) : 0u;
    dst = dxi_tp_append_typed(w, type_id, 1, &off);
    if (dst) DX_MEMCPY(dst, obj, w->sections[w->section_count - 1].elem_size);
    return off;
}

DX_TELEPORT_API dx_tp_slice dx_tp_write_slice(dx_tp_writer *w, uint32_t type_id, const void *items, size_t count) {
    dx_tp_slice s = {0, 0};
    uint8_t *dst;
    if (!w || count == 0) return s;
    if (!items) return dxi_tp_fail(w, DX_ERR_INVAL), s;
    dst = dxi_tp_append_typed(w, type_id, count, &s.off);
    if (!dst) return s;
    DX_MEMCPY(dst, items, count * w->sections[w->section_count - 1].elem_size);
    s.count = (uint32_t)count;
    return s;
}

DX_TELEPORT_API void *dx_tp_writer_reserve(dx_tp_writer *w, uint32_t type_id, size_t count, dx_tp_slice *out) {
    dx_tp_slice s = {0, 0};
    uint8_t *dst = NULL;
    if (w && count) {
        dst = dxi_tp_append_typed(w, type_id, count, &s.off);
        if (dst) {
            DX_MEMSET(dst, 0, count * w->sections[w->section_count - 1].elem_size);
            s.count = (uint32_t)count;
        }
    }
    if (out) *out = s;
    return dst;
}

DX_TELEPORT_API dx_tp_ref dx_tp_write_raw(dx_tp_writer *w, const void *bytes, size_t len, size_t align) {
    uint32_t off = 0;
    uint8_t *dst;
    if (!w || len == 0) return 0;
    if (!bytes || align == 0 || align > DXI_TP_MAX_ALIGN || (align & (align - 1)) != 0)
        return dxi_tp_fail(w, DX_ERR_INVAL), 0u;
    dst = dxi_tp_append(w, 0, 0, 1, (uint32_t)align, len, &off);
    if (dst) DX_MEMCPY(dst, bytes, len);
    return off;
}

DXI_PRIVATE uint32_t dxi_tp_hash32(const char *s, size_t len) {
    uint64_t h = dxi_tp_fnv(DXI_TP_FNV_BASIS, s, len);
    return (uint32_t)(h ^ (h >> 32));
}

DXI_PRIVATE void dxi_tp_index_put(uint64_t *index, size_t slots, uint32_t hash, uint32_t off) {
    size_t slot = hash & (slots - 1);
    while (index[slot]) slot = (slot + 1) & (slots - 1);
    index[slot] = ((uint64_t)hash << 32) | off;
}

/* Grows an owned dedup index; a caller's index just stops taking entries. */
DXI_PRIVATE void dxi_tp_index_add(dx_tp_writer *w, uint32_t hash, uint32_t off) {
    if ((w->index_used + 1) * 4 > w->index_slots * 3) {
        size_t slots = w->index_slots * 2, i;
        uint64_t *grown;
        if (!w->grows) return;
        grown = (uint64_t *)dxi_tp_alloc(&w->allocator, slots * sizeof(uint64_t));
        if (!grown) return; /* dedup is an optimization: keep going without it */
        DX_MEMSET(grown, 0, slots * sizeof(uint64_t));
        for (i = 0; i < w->index_slots; i++)
            if (w->index[i]) dxi_tp_index_put(grown, slots, (uint32_t)(w->index[i] >> 32), (uint32_t)w->index[i]);
        dxi_tp_free(&w->allocator, w->index, w->index_slots * sizeof(uint64_t));
        w->index = grown;
        w->index_slots = slots;
    }
    dxi_tp_index_put(w->index, w->index_slots, hash, off);
    w->index_used++;
}

DX_TELEPORT_API dx_tp_str dx_tp_write_string(dx_tp_writer *w, const char *s, size_t len) {
    dx_tp_str ref = {0, 0};
    uint32_t hash = 0;
    uint8_t *dst;
    if (!w || len == 0) return ref;
    if (!s) return dxi_tp_fail(w, DX_ERR_INVAL), ref;
    /* the common case first: no dedup, no error, room in the block */
    if (!w->index && w->error == DX_OK && !w->finished && len < w->cap - w->head - w->tail &&
        len < DXI_TP_LIMIT - w->head - w->tail) {
        w->tail += len + 1;
        dst = w->buf + w->cap - w->tail;
        DX_MEMCPY(dst, s, len);
        dst[len] = 0;
        ref.off = (uint32_t)w->tail;
        ref.len = (uint32_t)len;
        return ref;
    }
    if (w->error != DX_OK) return ref;
    if (len >= DXI_TP_LIMIT) return dxi_tp_fail(w, DX_ERR_LIMIT), ref;
    if (w->index) {
        size_t slot;
        hash = dxi_tp_hash32(s, len);
        for (slot = hash & (w->index_slots - 1); w->index[slot]; slot = (slot + 1) & (w->index_slots - 1)) {
            uint32_t off = (uint32_t)w->index[slot];
            const uint8_t *have = w->buf + w->cap - off;
            if ((uint32_t)(w->index[slot] >> 32) == hash && len < off && have[len] == 0 &&
                DX_MEMCMP(have, s, len) == 0) {
                ref.off = off;
                ref.len = (uint32_t)len;
                return ref;
            }
        }
    }
    if (!dxi_tp_room(w, 0, len + 1)) return ref;
    w->tail += len + 1;
    dst = w->buf + w->cap - w->tail;
    DX_MEMCPY(dst, s, len);
    dst[len] = 0;
    ref.off = (uint32_t)w->tail;
    ref.len = (uint32_t)len;
    if (w->index) dxi_tp_index_add(w, hash, ref.off);
    return ref;
}

DX_TELEPORT_API dx_tp_str dx_tp_write_cstr(dx_tp_writer *w, const char *s) {
    return dx_tp_write_string(w, s, s ? dxi_tp_strlen(s) : 0);
}

DX_TELEPORT_API void dx_tp_writer_set_root(dx_tp_writer *w, uint32_t type_id, dx_tp_ref root) {
    if (!w || w->error != DX_OK) return;
    if (w->finished) { /* the header is written: a root now would be lost */
        dxi_tp_fail(w, DX_ERR_MISUSE);
        return;
    }
    w->root = root;
    w->root_type = type_id;
}

DXI_PRIVATE int32_t dxi_tp_writer_type(const dx_tp_writer *w, uint32_t type_id) {
    uint32_t i;
    for (i = 0; i < w->type_count; i++)
        if (w->types[i]->type_id == type_id) return (int32_t)i;
    return -1;
}

DX_TELEPORT_API dx_result dx_tp_writer_finish(dx_tp_writer *w, const uint8_t **out_buf, size_t *out_len) {
    size_t tables, sec_at, type_at, field_at, i, j, strtab_at;
    uint32_t flags = 0, crc;
    uint64_t fingerprint = DXI_TP_FNV_BASIS;
    uint8_t *h;
    if (!w) return DX_ERR_INVAL;
    if (w->error != DX_OK) return w->error;
    if (!w->finished) {
        /* every reference target must be a registered type */
        if (w->root && dxi_tp_writer_type(w, w->root_type) < 0) return dxi_tp_fail(w, DX_ERR_MISUSE);
        tables = (size_t)w->section_count * DX_TP_SECTION_ENTRY_SIZE + (size_t)w->type_count * DX_TP_TYPE_ENTRY_SIZE;
        for (i = 0; i < w->type_count; i++) {
            tables += (size_t)w->types[i]->field_count * DX_TP_FIELD_ENTRY_SIZE;
            for (j = 0; j < w->types[i]->field_count; j++) {
                uint32_t target = w->types[i]->fields[j].ref_type;
                if (target && dxi_tp_writer_type(w, target) < 0) return dxi_tp_fail(w, DX_ERR_MISUSE);
            }
        }
        /* big-endian hosts wrote host-order structs: make them little-endian */
        if (!dxi_tp_host_le()) {
            for (i = 0; i < w->section_count; i++) {
                const dx_tp_wsection *s = &w->sections[i];
                if (s->type_id == 0) continue;
                for (j = 0; j < s->count; j++)
                    dxi_tp_swap_struct(w->buf + s->offset + j * s->elem_size, w->types[s->type_index], s->elem_size);
            }
        }
        i = (8 - w->head % 8) % 8;
        if (!dxi_tp_room(w, i + tables, 0)) return w->error;
        DX_MEMSET(w->buf + w->head, 0, i + tables);
        w->head += i;
        sec_at = w->head;
        type_at = sec_at + (size_t)w->section_count * DX_TP_SECTION_ENTRY_SIZE;
        field_at = type_at + (size_t)w->type_count * DX_TP_TYPE_ENTRY_SIZE;
        w->head += tables;
        for (i = 0; i < w->section_count; i++) {
            uint8_t *e = w->buf + sec_at + i * DX_TP_SECTION_ENTRY_SIZE;
            const dx_tp_wsection *s = &w->sections[i];
            dx_store_u32le(e + DX_TP_SECTION_ENTRY_OFF_TYPE_ID, s->type_id);
            dx_store_u32le(e + DX_TP_SECTION_ENTRY_OFF_OFFSET, s->offset);
            dx_store_u32le(e + DX_TP_SECTION_ENTRY_OFF_COUNT, s->count);
            dx_store_u32le(e + DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE, s->elem_size);
            dx_store_u32le(e + DX_TP_SECTION_ENTRY_OFF_ALIGN, s->align);
        }
        for (i = 0; i < w->type_count; i++) {
            const dx_tp_layout *l = w->types[i];
            dx_tp_str name = dx_tp_write_cstr(w, l->name ? l->name : "");
            uint64_t fp = dx_tp_layout_fingerprint(l);
            uint8_t *e = w->buf + type_at + i * DX_TP_TYPE_ENTRY_SIZE;
            dx_store_u64le(e + DX_TP_TYPE_ENTRY_OFF_FINGERPRINT, fp);
            fingerprint = dxi_tp_fnv(fingerprint, e + DX_TP_TYPE_ENTRY_OFF_FINGERPRINT, 8);
            dx_store_u32le(e + DX_TP_TYPE_ENTRY_OFF_TYPE_ID, l->type_id);
            dx_store_u32le(e + DX_TP_TYPE_ENTRY_OFF_STRUCT_SIZE, l->size);
            dx_store_u32le(e + DX_TP_TYPE_ENTRY_OFF_ALIGN, w->type_align[i]);
            dx_store_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT, l->field_count);
            dx_store_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE, (uint32_t)field_at);
            dxi_tp_store_str(e + DX_TP_TYPE_ENTRY_OFF_NAME, name);
            for (j = 0; j < l->field_count; j++) {
                const dx_tp_field *f = &l->fields[j];
                dx_tp_str fname = dx_tp_write_cstr(w, f->name); /* may move w->buf */
                e = w->buf + field_at + j * DX_TP_FIELD_ENTRY_SIZE;
                dxi_tp_store_str(e + DX_TP_FIELD_ENTRY_OFF_NAME, fname);
                dx_store_u32le(e + DX_TP_FIELD_ENTRY_OFF_OFFSET, f->offset);
                dx_store_u32le(e + DX_TP_FIELD_ENTRY_OFF_SIZE, f->size);
                dx_store_u32le(e + DX_TP_FIELD_ENTRY_OFF_KIND, (uint32_t)f->kind);
                dx_store_u32le(e + DX_TP_FIELD_ENTRY_OFF_TARGET, f->ref_type);
            }
            field_at += (size_t)l->field_count * DX_TP_FIELD_ENTRY_SIZE;
        }
        if (w->error != DX_OK) return w->error;
        /* the only copy at finish: the string table moves down next to the tables */
        strtab_at = w->head;
        if (w->tail) DX_MEMMOVE(w->buf + strtab_at, w->buf + w->cap - w->tail, w->tail);
        if (w->checksum) flags |= DX_TP_FLAG_CHECKSUM;
        h = w->buf;
        DX_MEMCPY(h + DX_TP_HEADER_OFF_MAGIC, "DXTP", 4);
        dx_store_u16le(h + DX_TP_HEADER_OFF_MAJOR, DX_TP_FORMAT_MAJOR);
        dx_store_u16le(h + DX_TP_HEADER_OFF_MINOR, DX_TP_FORMAT_MINOR);
        dx_store_u32le(h + DX_TP_HEADER_OFF_FLAGS, flags);
        dx_store_u32le(h + DX_TP_HEADER_OFF_HEADER_SIZE, DX_TP_HEADER_SIZE);
        dx_store_u32le(h + DX_TP_HEADER_OFF_TOTAL_SIZE, (uint32_t)(strtab_at + w->tail));
        dx_store_u32le(h + DX_TP_HEADER_OFF_CRC, 0);
        dx_store_u64le(h + DX_TP_HEADER_OFF_CAPABILITIES, w->capabilities);
        dx_store_u64le(h + DX_TP_HEADER_OFF_FINGERPRINT, fingerprint);
        dx_store_u32le(h + DX_TP_HEADER_OFF_ROOT, w->root);
        dx_store_u32le(h + DX_TP_HEADER_OFF_ROOT_TYPE, w->root ? w->root_type : 0);
        dx_store_u32le(h + DX_TP_HEADER_OFF_SECTION_TABLE, (uint32_t)sec_at);
        dx_store_u32le(h + DX_TP_HEADER_OFF_SECTION_COUNT, w->section_count);
        dx_store_u32le(h + DX_TP_HEADER_OFF_TYPE_TABLE, (uint32_t)type_at);
        dx_store_u32le(h + DX_TP_HEADER_OFF_TYPE_COUNT, w->type_count);
        dx_store_u32le(h + DX_TP_HEADER_OFF_STRING_TABLE, (uint32_t)strtab_at);
        dx_store_u32le(h + DX_TP_HEADER_OFF_STRING_TABLE_SIZE, (uint32_t)w->tail);
        DX_MEMSET(h + DX_TP_HEADER_OFF_RESERVED, 0, DX_TP_HEADER_SIZE - DX_TP_HEADER_OFF_RESERVED);
        w->head = strtab_at + w->tail;
        w->tail = 0;
        if (flags & DX_TP_FLAG_CHECKSUM) {
            crc = dx_tp_crc32c(0, h, w->head);
            dx_store_u32le(h + DX_TP_HEADER_OFF_CRC, crc);
        }
        w->finished = true;
    }
    if (out_buf) *out_buf = w->buf;
    if (out_len) *out_len = w->head;
    return DX_OK;
}

/* ---- reader ---- */

/* Does [off, off + count * entry) fit inside [lo, total)? Overflow-safe. */
DXI_PRIVATE bool dxi_tp_fits(uint32_t off, uint32_t count, uint32_t entry, uint32_t lo, uint32_t total) {
    if (off < lo || off > total) return false;
    return (uint64_t)count * entry <= (uint64_t)(total - off);
}

DXI_PRIVATE bool dxi_tp_str_ok(const dx_tp_reader *r, dx_tp_str s) {
    if (s.off == 0 && s.len == 0) return true;
    return s.len < s.off && s.off <= r->strtab_size && (r->strtab_end - s.off)[s.len] == 0;
}

/* A type or field name: a valid string without a NUL inside. dx_tp_field.name
   is a C string, so a name with a NUL could never match a layout. */
DXI_PRIVATE bool dxi_tp_name_ok(const dx_tp_reader *r, dx_tp_str s) {
    const uint8_t *p = r->strtab_end - s.off;
    uint32_t i;
    if (!dxi_tp_str_ok(r, s)) return false;
    for (i = 0; i < s.len; i++)
        if (p[i] == 0) return false;
    return true;
}

DXI_PRIVATE const uint8_t *dxi_tp_section_entry(const dx_tp_reader *r, uint32_t index) {
    return r->sections + (size_t)index * DX_TP_SECTION_ENTRY_SIZE;
}

DXI_PRIVATE uint32_t dxi_tp_section_word(const dx_tp_reader *r, uint32_t index, uint32_t field_off) {
    return dx_load_u32le(dxi_tp_section_entry(r, index) + field_off);
}

DXI_PRIVATE const uint8_t *dxi_tp_field_entry(const dx_tp_reader *r, const uint8_t *type, uint32_t field) {
    return r->base + dx_load_u32le(type + DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE) + (size_t)field * DX_TP_FIELD_ENTRY_SIZE;
}

DXI_PRIVATE const uint8_t *dxi_tp_type_entry(const dx_tp_reader *r, uint32_t type_id) {
    uint32_t i;
    for (i = 0; i < r->type_count; i++) {
        const uint8_t *e = r->types + (size_t)i * DX_TP_TYPE_ENTRY_SIZE;
        if (dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_TYPE_ID) == type_id) return e;
    }
    return NULL;
}

/* Binary search of the sorted sections for the element that ref points at. */
DXI_PRIVATE dx_result dxi_tp_resolve(const dx_tp_reader *r, uint32_t ref, uint32_t type_id, uint32_t *out_section,
                                     uint32_t *out_index) {
    uint32_t lo = 0, hi = r->section_count;
    const uint8_t *e;
    uint32_t off, count, size, delta;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (dxi_tp_section_word(r, mid, DX_TP_SECTION_ENTRY_OFF_OFFSET) <= ref) lo = mid;
        else hi = mid;
    }
    if (r->section_count == 0) return DX_ERR_NOTFOUND;
    e = dxi_tp_section_entry(r, lo);
    off = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_OFFSET);
    count = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_COUNT);
    size = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE);
    if (ref < off || dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_TYPE_ID) != type_id) return DX_ERR_NOTFOUND;
    delta = ref - off;
    if (delta % size != 0 || delta / size >= count) return DX_ERR_NOTFOUND;
    *out_section = lo;
    *out_index = delta / size;
    return DX_OK;
}

DXI_PRIVATE dx_result dxi_tp_reader_fail(dx_tp_reader *r, dx_result err, size_t offset) {
    r->error_offset = offset;
    return err;
}

/* Checks the schema: types, their fields, fingerprints. */
DXI_PRIVATE dx_result dxi_tp_check_types(dx_tp_reader *r, uint32_t hsize, uint32_t total) {
    uint64_t fingerprint = DXI_TP_FNV_BASIS;
    uint32_t i, j, k;
    for (i = 0; i < r->type_count; i++) {
        const uint8_t *e = r->types + (size_t)i * DX_TP_TYPE_ENTRY_SIZE;
        size_t at = (size_t)(e - r->base);
        uint32_t type_id = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_TYPE_ID);
        uint32_t size = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_STRUCT_SIZE);
        uint32_t align = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_ALIGN);
        uint32_t nfields = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT);
        uint32_t fields_off = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_TABLE), end = 0, max_align = 1;
        uint64_t fp = dxi_tp_fp_type(type_id, size, nfields);
        if (type_id == 0 || size == 0 || !dxi_tp_pow2(align) || align > DXI_TP_MAX_ALIGN || size % align != 0 ||
            !dxi_tp_name_ok(r, dxi_tp_load_str(e + DX_TP_TYPE_ENTRY_OFF_NAME)))
            return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, at);
        if (dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_RESERVED) != 0 || nfields == 0)
            return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, at);
        if (nfields > DX_TP_MAX_FIELDS) return dxi_tp_reader_fail(r, DX_ERR_LIMIT, at);
        if (!dxi_tp_fits(fields_off, nfields, DX_TP_FIELD_ENTRY_SIZE, hsize, total))
            return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, at);
        for (k = 0; k < i; k++)
            if (dx_load_u32le(r->types + (size_t)k * DX_TP_TYPE_ENTRY_SIZE + DX_TP_TYPE_ENTRY_OFF_TYPE_ID) == type_id)
                return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, at);
        for (j = 0; j < nfields; j++) {
            const uint8_t *f = dxi_tp_field_entry(r, e, j);
            dx_tp_str name = dxi_tp_load_str(f + DX_TP_FIELD_ENTRY_OFF_NAME);
            uint32_t foff = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_OFFSET);
            uint32_t fsize = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_SIZE);
            uint32_t kind = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_KIND);
            uint32_t target = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_TARGET);
            uint32_t want = dxi_tp_kind_size(kind), falign = dxi_tp_kind_align(kind);
            bool is_link = kind == DX_TP_KIND_REF || kind == DX_TP_KIND_SLICE;
            if (!dxi_tp_name_ok(r, name) || kind == DX_TP_KIND_NONE || kind >= DX_TP_KIND_COUNT || fsize == 0 ||
                (want && fsize != want) || foff < end || fsize > size || foff > size - fsize || foff % falign != 0 ||
                is_link != (target != 0) || (is_link && !dxi_tp_type_entry(r, target)))
                return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, (size_t)(f - r->base));
            end = foff + fsize;
            if (falign > max_align) max_align = falign;
            fp = dxi_tp_fp_field(fp, (const char *)(r->strtab_end - name.off), name.len, kind, foff, fsize, target);
        }
        if (align < max_align || dx_load_u64le(e + DX_TP_TYPE_ENTRY_OFF_FINGERPRINT) != fp)
            return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, at);
        fingerprint = dxi_tp_fnv(fingerprint, e + DX_TP_TYPE_ENTRY_OFF_FINGERPRINT, 8);
    }
    if (fingerprint != r->fingerprint) return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_FINGERPRINT);
    return DX_OK;
}

/* Checks the sections: in bounds, aligned, sorted, not overlapping the header
   or each other, element size and alignment those of their type. */
DXI_PRIVATE dx_result dxi_tp_check_sections(dx_tp_reader *r, uint32_t hsize, uint32_t total) {
    uint32_t i, prev_end = hsize;
    for (i = 0; i < r->section_count; i++) {
        const uint8_t *e = dxi_tp_section_entry(r, i);
        uint32_t type_id = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_TYPE_ID);
        uint32_t off = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_OFFSET);
        uint32_t count = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_COUNT);
        uint32_t size = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE);
        uint32_t align = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_ALIGN);
        const uint8_t *type = NULL;
        size_t at = (size_t)(e - r->base);
        if (count == 0 || size == 0 || !dxi_tp_pow2(align) || align > DXI_TP_MAX_ALIGN || off % align != 0 ||
            off < prev_end || !dxi_tp_fits(off, count, size, hsize, total) ||
            dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_RESERVED) != 0)
            return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, at);
        if (type_id != 0) {
            type = dxi_tp_type_entry(r, type_id);
            if (!type || dx_load_u32le(type + DX_TP_TYPE_ENTRY_OFF_STRUCT_SIZE) != size ||
                dx_load_u32le(type + DX_TP_TYPE_ENTRY_OFF_ALIGN) != align)
                return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, at);
        }
        prev_end = off + count * size;
    }
    return DX_OK;
}

/* Checks every string, reference and slice field of every element of one
   section, a batch of fields at a time so the field table is read once. */
DXI_PRIVATE dx_result dxi_tp_check_elements(dx_tp_reader *r, const uint8_t *type, uint32_t off, uint32_t count,
                                            uint32_t size) {
    enum { BATCH = 16 };
    uint32_t foffs[BATCH], kinds[BATCH], targets[BATCH];
    uint32_t nfields = dx_load_u32le(type + DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT), j = 0, n, i, b;
    while (j < nfields) {
        for (n = 0; j < nfields && n < BATCH; j++) {
            const uint8_t *f = dxi_tp_field_entry(r, type, j);
            uint32_t kind = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_KIND);
            if (!dxi_tp_kind_is_ref(kind)) continue;
            foffs[n] = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_OFFSET);
            kinds[n] = kind;
            targets[n++] = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_TARGET);
        }
        for (i = 0; i < count && n; i++) {
            const uint8_t *el = r->base + off + (size_t)i * size;
#if defined(__GNUC__) || defined(__clang__)
            if (count - i > 16) __builtin_prefetch(el + (size_t)16 * size); /* the loop waits on memory */
#endif
            for (b = 0; b < n; b++) {
                const uint8_t *p = el + foffs[b];
                uint32_t a = dx_load_u32le(p), sec, idx;
                bool ok;
                if (kinds[b] == DX_TP_KIND_STR) {
                    ok = dxi_tp_str_ok(r, dxi_tp_load_str(p));
                } else if (kinds[b] == DX_TP_KIND_REF) {
                    ok = a == 0 || dxi_tp_resolve(r, a, targets[b], &sec, &idx) == DX_OK;
                } else { /* SLICE: {0, 0} or count elements inside one section */
                    uint32_t len = dx_load_u32le(p + DX_TP_SLICE_OFF_COUNT);
                    ok = (a == 0 && len == 0) ||
                         (len != 0 && dxi_tp_resolve(r, a, targets[b], &sec, &idx) == DX_OK &&
                          len <= dxi_tp_section_word(r, sec, DX_TP_SECTION_ENTRY_OFF_COUNT) - idx);
                }
                if (!ok) return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, (size_t)(p - r->base));
            }
        }
    }
    return DX_OK;
}

/* dx_tp_reader_init's checks, in WIRE FORMAT's order; r is filled as they go. */
DXI_PRIVATE dx_result dxi_tp_reader_verify(dx_tp_reader *r, const uint8_t *b, size_t len) {
    uint32_t hsize, total, sec_off, type_off, str_off, i;
    dx_result err;
    if (!b && len) return DX_ERR_INVAL;
    if (len >= 4 && DX_MEMCMP(b + DX_TP_HEADER_OFF_MAGIC, "DXTP", 4) != 0) return DX_TP_ERR_MAGIC;
    if (len < DX_TP_HEADER_SIZE) return dxi_tp_reader_fail(r, DX_ERR_TRUNCATED, len);
    if (dx_load_u16le(b + DX_TP_HEADER_OFF_MAJOR) != DX_TP_FORMAT_MAJOR)
        return dxi_tp_reader_fail(r, DX_ERR_UNSUPPORTED, DX_TP_HEADER_OFF_MAJOR);
    r->base = b;
    r->version_minor = dx_load_u16le(b + DX_TP_HEADER_OFF_MINOR);
    r->flags = dx_load_u32le(b + DX_TP_HEADER_OFF_FLAGS);
    if (r->flags & 0xffffu & ~(uint32_t)DX_TP_FLAG_CHECKSUM)
        return dxi_tp_reader_fail(r, DX_ERR_UNSUPPORTED, DX_TP_HEADER_OFF_FLAGS);
    hsize = dx_load_u32le(b + DX_TP_HEADER_OFF_HEADER_SIZE);
    total = dx_load_u32le(b + DX_TP_HEADER_OFF_TOTAL_SIZE);
    if (hsize < DX_TP_HEADER_SIZE || hsize % 8 != 0)
        return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_HEADER_SIZE);
    if (total < hsize) return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_TOTAL_SIZE);
    if (total > len) return dxi_tp_reader_fail(r, DX_ERR_TRUNCATED, len);
    r->size = total; /* bytes after total belong to the caller (framing): not read */
    if (r->flags & DX_TP_FLAG_CHECKSUM) {
        static const uint8_t zero[4] = {0, 0, 0, 0};
        uint32_t crc = dx_tp_crc32c(0, b, DX_TP_HEADER_OFF_CRC);
        crc = dx_tp_crc32c(crc, zero, 4);
        crc = dx_tp_crc32c(crc, b + DX_TP_HEADER_OFF_CRC + 4, total - (DX_TP_HEADER_OFF_CRC + 4));
        if (crc != dx_load_u32le(b + DX_TP_HEADER_OFF_CRC))
            return dxi_tp_reader_fail(r, DX_ERR_CHECKSUM, DX_TP_HEADER_OFF_CRC);
    } else if (dx_load_u32le(b + DX_TP_HEADER_OFF_CRC) != 0) {
        return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_CRC);
    }
    for (i = DX_TP_HEADER_OFF_RESERVED; i < DX_TP_HEADER_SIZE; i++)
        if (b[i] != 0) return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_RESERVED);
    r->capabilities = dx_load_u64le(b + DX_TP_HEADER_OFF_CAPABILITIES);
    r->fingerprint = dx_load_u64le(b + DX_TP_HEADER_OFF_FINGERPRINT);
    r->root = dx_load_u32le(b + DX_TP_HEADER_OFF_ROOT);
    r->root_type = dx_load_u32le(b + DX_TP_HEADER_OFF_ROOT_TYPE);
    sec_off = dx_load_u32le(b + DX_TP_HEADER_OFF_SECTION_TABLE);
    r->section_count = dx_load_u32le(b + DX_TP_HEADER_OFF_SECTION_COUNT);
    type_off = dx_load_u32le(b + DX_TP_HEADER_OFF_TYPE_TABLE);
    r->type_count = dx_load_u32le(b + DX_TP_HEADER_OFF_TYPE_COUNT);
    str_off = dx_load_u32le(b + DX_TP_HEADER_OFF_STRING_TABLE);
    r->strtab_size = dx_load_u32le(b + DX_TP_HEADER_OFF_STRING_TABLE_SIZE);
    if (r->section_count > DXI_TP_READ_MAX_SECTIONS)
        return dxi_tp_reader_fail(r, DX_ERR_LIMIT, DX_TP_HEADER_OFF_SECTION_COUNT);
    if (r->type_count > DXI_TP_READ_MAX_TYPES) return dxi_tp_reader_fail(r, DX_ERR_LIMIT, DX_TP_HEADER_OFF_TYPE_COUNT);
    if (!dxi_tp_fits(sec_off, r->section_count, DX_TP_SECTION_ENTRY_SIZE, hsize, total))
        return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_SECTION_TABLE);
    if (!dxi_tp_fits(type_off, r->type_count, DX_TP_TYPE_ENTRY_SIZE, hsize, total))
        return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_TYPE_TABLE);
    if (!dxi_tp_fits(str_off, r->strtab_size, 1, hsize, total) ||
        (r->strtab_size && b[str_off + r->strtab_size - 1] != 0))
        return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_STRING_TABLE);
    r->sections = b + sec_off;
    r->types = b + type_off;
    r->strtab_end = b + str_off + r->strtab_size;
    if ((err = dxi_tp_check_types(r, hsize, total)) != DX_OK) return err;
    if ((err = dxi_tp_check_sections(r, hsize, total)) != DX_OK) return err;
    for (i = 0; i < r->section_count; i++) {
        const uint8_t *e = dxi_tp_section_entry(r, i);
        uint32_t type_id = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_TYPE_ID);
        if (type_id == 0) continue;
        err = dxi_tp_check_elements(r, dxi_tp_type_entry(r, type_id), dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_OFFSET),
                                    dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_COUNT),
                                    dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE));
        if (err != DX_OK) return err;
    }
    if (r->root != 0) {
        uint32_t sec, idx;
        if (dxi_tp_resolve(r, r->root, r->root_type, &sec, &idx) != DX_OK)
            return dxi_tp_reader_fail(r, DX_ERR_CORRUPT, DX_TP_HEADER_OFF_ROOT);
    }
    return DX_OK;
}

DX_TELEPORT_API dx_result dx_tp_reader_init(dx_tp_reader *r, const void *buf, size_t len) {
    dx_result err;
    size_t at;
    if (!r) return DX_ERR_INVAL;
    DX_MEMSET(r, 0, sizeof *r);
    err = dxi_tp_reader_verify(r, (const uint8_t *)buf, len);
    if (err != DX_OK) { /* an empty reader, so that no accessor touches unverified bytes */
        at = r->error_offset;
        DX_MEMSET(r, 0, sizeof *r);
        r->error_offset = at;
    }
    return err;
}

DX_TELEPORT_API int32_t dx_tp_reader_find(const dx_tp_reader *r, uint32_t type_id, uint32_t start) {
    uint32_t i;
    if (!r) return DX_ERR_INVAL;
    for (i = start; i < r->section_count; i++)
        if (dxi_tp_section_word(r, i, DX_TP_SECTION_ENTRY_OFF_TYPE_ID) == type_id) return (int32_t)i;
    return DX_ERR_NOTFOUND;
}

DX_TELEPORT_API dx_result dx_tp_reader_section(const dx_tp_reader *r, uint32_t index, dx_tp_section_info *out) {
    const uint8_t *e;
    if (!r || !out) return DX_ERR_INVAL;
    if (index >= r->section_count) return DX_ERR_NOTFOUND;
    e = dxi_tp_section_entry(r, index);
    out->type_id = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_TYPE_ID);
    out->offset = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_OFFSET);
    out->count = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_COUNT);
    out->elem_size = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_ELEM_SIZE);
    out->align = dx_load_u32le(e + DX_TP_SECTION_ENTRY_OFF_ALIGN);
    return DX_OK;
}

DX_TELEPORT_API dx_result dx_tp_reader_view(const dx_tp_reader *r, int32_t section, const dx_tp_layout *l,
                                            dx_tp_view *out) {
    dx_tp_section_info s;
    const uint8_t *type;
    uint32_t nfields, common, i, copy_size = 0;
    dx_result err;
    if (!r || !l || !out || !l->fields) return DX_ERR_INVAL;
    DX_MEMSET(out, 0, sizeof *out);
    if (section < 0) return (dx_result)section; /* lets a failed dx_tp_reader_find pass through */
    err = dx_tp_reader_section(r, (uint32_t)section, &s);
    if (err != DX_OK) return err;
    if (s.type_id != l->type_id || s.type_id == 0) return DX_TP_ERR_SCHEMA;
    type = dxi_tp_type_entry(r, s.type_id);
    nfields = dx_load_u32le(type + DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT);
    /* the same layout, or one field list a prefix of the other (evolution):
       compared field by field, exact where a fingerprint could collide */
    common = nfields < l->field_count ? nfields : l->field_count;
    if (common == 0) return DX_TP_ERR_SCHEMA;
    for (i = 0; i < common; i++) {
        const uint8_t *f = dxi_tp_field_entry(r, type, i);
        const dx_tp_field *mine = &l->fields[i];
        dx_tp_str name = dxi_tp_load_str(f + DX_TP_FIELD_ENTRY_OFF_NAME);
        if (!mine->name || dxi_tp_strlen(mine->name) != name.len ||
            DX_MEMCMP(mine->name, r->strtab_end - name.off, name.len) != 0 ||
            dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_OFFSET) != mine->offset ||
            dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_SIZE) != mine->size ||
            dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_KIND) != (uint32_t)mine->kind ||
            dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_TARGET) != mine->ref_type)
            return DX_TP_ERR_SCHEMA;
        copy_size = mine->offset + mine->size;
    }
    if (nfields == l->field_count && dx_load_u32le(type + DX_TP_TYPE_ENTRY_OFF_STRUCT_SIZE) == l->size)
        copy_size = l->size; /* the same layout */
    out->data = r->base + s.offset;
    out->count = s.count;
    out->stride = s.elem_size;
    out->copy_size = copy_size;
    out->layout = l;
    /* the same layout: its type's alignment is at least the layout's */
    out->zero_copy = dxi_tp_host_le() && copy_size == l->size && s.elem_size >= l->size &&
                     ((uintptr_t)out->data % s.align) == 0;
    return DX_OK;
}

DX_TELEPORT_API void dx_tp_view_read(const dx_tp_view *v, uint32_t i, void *out) {
    uint8_t *dst = (uint8_t *)out;
    DX_ASSERT(v && v->layout && i < v->count);
    DX_MEMCPY(dst, dx_tp_view_at(v, i), v->copy_size);
    DX_MEMSET(dst + v->copy_size, 0, v->layout->size - v->copy_size);
    if (!dxi_tp_host_le()) dxi_tp_swap_struct(dst, v->layout, v->copy_size);
}

DX_TELEPORT_API dx_result dx_tp_reader_resolve(const dx_tp_reader *r, dx_tp_ref ref, uint32_t type_id,
                                               int32_t *out_section, uint32_t *out_index) {
    uint32_t sec = 0, idx = 0;
    dx_result err;
    if (!r || !out_section || !out_index) return DX_ERR_INVAL;
    err = dxi_tp_resolve(r, ref, type_id, &sec, &idx);
    *out_section = err == DX_OK ? (int32_t)sec : err;
    *out_index = idx;
    return err;
}

DX_TELEPORT_API dx_result dx_tp_reader_root(const dx_tp_reader *r, int32_t *out_section, uint32_t *out_index) {
    if (!r) return DX_ERR_INVAL;
    if (r->root == 0) return DX_ERR_NOTFOUND;
    return dx_tp_reader_resolve(r, r->root, r->root_type, out_section, out_index);
}

DX_TELEPORT_API dx_result dx_tp_reader_type(const dx_tp_reader *r, uint32_t index, dx_tp_type_info *out) {
    const uint8_t *e;
    if (!r || !out) return DX_ERR_INVAL;
    if (index >= r->type_count) return DX_ERR_NOTFOUND;
    e = r->types + (size_t)index * DX_TP_TYPE_ENTRY_SIZE;
    out->fingerprint = dx_load_u64le(e + DX_TP_TYPE_ENTRY_OFF_FINGERPRINT);
    out->type_id = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_TYPE_ID);
    out->size = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_STRUCT_SIZE);
    out->align = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_ALIGN);
    out->field_count = dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT);
    out->name = dx_tp_reader_string(r, dxi_tp_load_str(e + DX_TP_TYPE_ENTRY_OFF_NAME), NULL);
    return DX_OK;
}

DX_TELEPORT_API dx_result dx_tp_reader_field(const dx_tp_reader *r, uint32_t type_index, uint32_t field,
                                             dx_tp_field_info *out) {
    const uint8_t *e, *f;
    if (!r || !out) return DX_ERR_INVAL;
    if (type_index >= r->type_count) return DX_ERR_NOTFOUND;
    e = r->types + (size_t)type_index * DX_TP_TYPE_ENTRY_SIZE;
    if (field >= dx_load_u32le(e + DX_TP_TYPE_ENTRY_OFF_FIELD_COUNT)) return DX_ERR_NOTFOUND;
    f = dxi_tp_field_entry(r, e, field);
    out->name = dx_tp_reader_string(r, dxi_tp_load_str(f + DX_TP_FIELD_ENTRY_OFF_NAME), NULL);
    out->offset = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_OFFSET);
    out->size = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_SIZE);
    out->kind = (dx_tp_kind)dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_KIND);
    out->ref_type = dx_load_u32le(f + DX_TP_FIELD_ENTRY_OFF_TARGET);
    return DX_OK;
}

DX_TELEPORT_API const char *dx_tp_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    if (r == DX_TP_ERR_MAGIC) return "DX_TP_ERR_MAGIC";
    if (r == DX_TP_ERR_SCHEMA) return "DX_TP_ERR_SCHEMA";
    return dx_result_name(r);
#endif
}

#endif /* DX_TELEPORT_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
SPDX-License-Identifier: MIT OR Unlicense
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the dx authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
