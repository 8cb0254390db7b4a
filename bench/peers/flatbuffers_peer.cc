// flatbuffers_peer.cc - FlatBuffers (libflatbuffers-dev 2.x) in the teleport benchmark
// Schema: users.fbs, compiled by flatc --cpp at build time (bench/run_teleport.sh).
#include "peers.h"
#include "users_generated.h"

#include <new>
#include <vector>

namespace {

struct Ctx {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<flatbuffers::Offset<bench_fb::User>> offsets;
    explicit Ctx(size_t n) : fbb(n * 100 + 1024) { offsets.reserve(n); }
};

void *fb_create(const bench_user *, size_t n) { return new (std::nothrow) Ctx(n); }

// The usual way: strings first (a table cannot be open while one is built),
// then the table through the generated CreateUser, then the vector.
size_t fb_encode(void *p, const bench_user *recs, size_t n, const uint8_t **out) {
    Ctx *c = static_cast<Ctx *>(p);
    flatbuffers::FlatBufferBuilder &fbb = c->fbb;
    fbb.Clear(); // keeps the builder's memory
    c->offsets.clear();
    for (size_t i = 0; i < n; i++) {
        const bench_user &r = recs[i];
        auto name = fbb.CreateString(r.name, r.name_len);
        auto email = fbb.CreateString(r.email, r.email_len);
        c->offsets.push_back(bench_fb::CreateUser(fbb, r.id, r.age, r.score, name, email));
    }
    auto users = fbb.CreateVector(c->offsets);
    fbb.Finish(bench_fb::CreateUsers(fbb, users));
    *out = fbb.GetBufferPointer();
    return fbb.GetSize();
}

// Trusted read (no verifier), through the generated accessors.
uint64_t fb_read_all(void *, const uint8_t *buf, size_t, size_t *count) {
    const bench_fb::Users *users = bench_fb::GetUsers(buf);
    const auto *v = users->users();
    uint64_t sum = 0;
    *count = 0;
    if (!v) return 0;
    for (flatbuffers::uoffset_t i = 0, n = v->size(); i < n; i++) {
        const bench_fb::User *u = v->Get(i);
        const flatbuffers::String *name = u->name(), *email = u->email();
        sum += bench_fold(u->id(), u->age(), u->score(), name->c_str(), name->size(), email->c_str(), email->size());
    }
    *count = v->size();
    return sum;
}

// The generated verifier; max_tables raised above the 1,000,001 tables here.
int fb_verify(void *, const uint8_t *buf, size_t len) {
    flatbuffers::Verifier::Options opts;
    opts.max_tables = 0xffffffffu;
    flatbuffers::Verifier v(buf, len, opts);
    return bench_fb::VerifyUsersBuffer(v) ? 1 : 0;
}

// What a reader of untrusted bytes runs: the verifier, then the read.
uint64_t fb_read_checked(void *c, const uint8_t *buf, size_t len, size_t *count) {
    *count = 0;
    if (!fb_verify(c, buf, len)) return 0;
    return fb_read_all(c, buf, len, count);
}

void fb_destroy(void *p) { delete static_cast<Ctx *>(p); }

#define FB_STR2(x) #x
#define FB_STR(x) FB_STR2(x)

} // namespace

extern "C" const bench_peer bench_peer_flatbuffers = {
    "FlatBuffers " FB_STR(FLATBUFFERS_VERSION_MAJOR) "." FB_STR(FLATBUFFERS_VERSION_MINOR) "." FB_STR(
        FLATBUFFERS_VERSION_REVISION),
    fb_create, fb_encode, fb_read_all, fb_verify, fb_read_checked, fb_destroy,
    "FlatBufferBuilder reused (Clear), CreateString x2 + CreateUser per record; read via generated "
    "accessors without verifying; verify = flatbuffers::Verifier (VerifyUsersBuffer)"};
