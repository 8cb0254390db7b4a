// capnp_peer.cc - Cap'n Proto (libcapnp-dev) in the teleport benchmark
// Schema: users.capnp, compiled by capnp compile -oc++ at build time (bench/run_teleport.sh).
#include "peers.h"
#include "users.capnp.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace {

// The message is built into one reused first segment (the way Cap'n Proto
// suggests for repeated messages), placed one word after the start of mem so
// that the standard segment table fits in front of it: the encoded buffer is
// then the usual flat serialization (what capnp::writeMessage would send),
// with no copy. If the segment were ever too small, the message would spill
// into more segments and be flattened with capnp::messageToFlatArray.
struct Ctx {
    capnp::word *mem = nullptr;
    size_t seg_words = 0;
    std::unique_ptr<capnp::MallocMessageBuilder> builder;
    kj::Array<capnp::word> flat;
};

void cp_destroy(void *p) {
    Ctx *c = static_cast<Ctx *>(p);
    if (!c) return;
    c->builder.reset();
    std::free(c->mem);
    delete c;
}

size_t cp_encode(void *p, const bench_user *recs, size_t n, const uint8_t **out) {
    Ctx *c = static_cast<Ctx *>(p);
    c->builder.reset(); // its destructor zeroes the used part of the segment for reuse
    c->builder.reset(new capnp::MallocMessageBuilder(kj::arrayPtr(c->mem + 1, c->seg_words)));
    bench_capnp::Users::Builder root = c->builder->initRoot<bench_capnp::Users>();
    capnp::List<bench_capnp::User>::Builder list = root.initUsers((unsigned)n);
    for (size_t i = 0; i < n; i++) {
        const bench_user &r = recs[i];
        bench_capnp::User::Builder u = list[(unsigned)i];
        u.setId(r.id);
        u.setAge(r.age);
        u.setScore(r.score);
        u.setName(capnp::Text::Reader(r.name, r.name_len));
        u.setEmail(capnp::Text::Reader(r.email, r.email_len));
    }
    kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segs = c->builder->getSegmentsForOutput();
    if (segs.size() == 1 && segs[0].begin() == c->mem + 1) {
        uint32_t table[2] = {0, (uint32_t)segs[0].size()}; // segment count - 1, then its size in words
        std::memcpy(c->mem, table, sizeof table);           // little-endian host assumed (x86, ARM)
        *out = reinterpret_cast<const uint8_t *>(c->mem);
        return (segs[0].size() + 1) * sizeof(capnp::word);
    }
    c->flat = capnp::messageToFlatArray(segs);
    *out = reinterpret_cast<const uint8_t *>(c->flat.begin());
    return c->flat.size() * sizeof(capnp::word);
}

void *cp_create(const bench_user *recs, size_t n) {
    Ctx *c = new (std::nothrow) Ctx;
    const uint8_t *out;
    if (!c) return nullptr;
    c->seg_words = n * 16 + 1024; // 128 bytes a record: more than it needs
    c->mem = static_cast<capnp::word *>(std::calloc(c->seg_words + 1, sizeof(capnp::word)));
    if (!c->mem) {
        delete c;
        return nullptr;
    }
    std::memset(static_cast<void *>(c->mem), 0, (c->seg_words + 1) * sizeof(capnp::word)); // touch every page now
    cp_encode(c, recs, n, &out); // so that every timed encode also pays the previous message's zeroing
    return c;
}

// Cap'n Proto checks bounds lazily, on each access: the read is also its verification.
uint64_t cp_read_all(void *, const uint8_t *buf, size_t len, size_t *count) {
    capnp::ReaderOptions opts;
    opts.traversalLimitInWords = ~(uint64_t)0 >> 4; // the default 64 MiB limit is below this message
    capnp::FlatArrayMessageReader reader(
        kj::arrayPtr(reinterpret_cast<const capnp::word *>(buf), len / sizeof(capnp::word)), opts);
    bench_capnp::Users::Reader root = reader.getRoot<bench_capnp::Users>();
    capnp::List<bench_capnp::User>::Reader list = root.getUsers();
    uint64_t sum = 0;
    for (bench_capnp::User::Reader u : list) {
        capnp::Text::Reader name = u.getName(), email = u.getEmail();
        sum += bench_fold(u.getId(), u.getAge(), u.getScore(), name.begin(), name.size(), email.begin(), email.size());
    }
    *count = list.size();
    return sum;
}

#define CP_STR2(x) #x
#define CP_STR(x) CP_STR2(x)

} // namespace

extern "C" const bench_peer bench_peer_capnp = {
    "Cap'n Proto " CP_STR(CAPNP_VERSION_MAJOR) "." CP_STR(CAPNP_VERSION_MINOR) "." CP_STR(CAPNP_VERSION_MICRO),
    cp_create, cp_encode, cp_read_all, nullptr, nullptr, cp_destroy,
    "MallocMessageBuilder on a reused zeroed first segment, initUsers(n) then setters; flat "
    "single-segment message; read via FlatArrayMessageReader (bounds checked on access, no separate verifier)"};
