# users.capnp - Cap'n Proto schema of the teleport benchmark (bench/peers/capnp_peer.cc)
@0xf633081a435437bd;

$import "/capnp/c++.capnp".namespace("bench_capnp");

struct User {
  id @0 :UInt64;
  age @1 :UInt32;
  score @2 :Float64;
  name @3 :Text;
  email @4 :Text;
}

struct Users {
  users @0 :List(User);
}
