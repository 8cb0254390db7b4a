/* dx_reactor.h - v0.6.1 - completion-based event loop (io_uring, epoll, kqueue, poll, IOCP) - SPDX-License-Identifier: MIT OR Unlicense (text at end)

   The one dx header that does I/O. Every backend offers the same completion
   API: you describe an operation in a dx_op you own, submit it, and a
   callback gets the result. On io_uring and IOCP the kernel does the work; on epoll,
   kqueue and poll() readiness is turned into completions (the system call runs
   when the fd is ready), so one program and one test suite run everywhere.

QUICK START
   Do this:
       #define DX_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Other files include it without the define. The
   implementation needs POSIX declarations: it defines _DEFAULT_SOURCE
   itself when it is the first header of the file; otherwise define
   _DEFAULT_SOURCE (or _GNU_SOURCE) before any #include.

       static dx_reactor_action on_timer(dx_reactor *r, dx_op *op, int64_t res, void *user) {
           (void)r, (void)op, (void)user;
           printf("timer fired: %d\n", (int)res);     // 0, or DX_ERR_CANCELED
           return DX_REACTOR_DISARM;                  // op is IDLE again: free or reuse it
       }
       dx_reactor r;
       dx_reactor_config cfg;
       memset(&cfg, 0, sizeof cfg);                   // zero = default backend order
       if (dx_reactor_create(&r, &cfg) != DX_OK) return 1;  // allocates the fd table once
       printf("backend: %s\n", dx_reactor_backend_name(&r));
       dx_op t;
       dx_op_timer(&t, 1000000, 0);                   // 1 ms from now
       dx_reactor_submit(&r, &t, on_timer, NULL);
       dx_reactor_run(&r, DX_REACTOR_RUN_UNTIL_DONE); // returns when no op is pending
       dx_reactor_destroy(&r);

   An echo server: examples/reactor_echo.c. The tests (tests/reactor_test.c)
   run one conformance suite over every backend the machine offers.

OVERVIEW
   - Operations: accept, connect, recv, send, recvv/sendv (vectored),
     read/write on files (with an offset or at the current position),
     timer (relative or absolute, nanoseconds on a monotonic clock), cancel
     (itself an operation), close, wake-wait (completes when any thread
     calls dx_reactor_wake), and poll: readiness, for libraries that do
     their own I/O (libpq, c-ares, libcurl, OpenSSL's non-blocking BIOs),
     level-triggered and one-shot, or edge-triggered and multishot
     (DX_OP_POLL_EDGE: one io_uring POLL_ADD, or epoll's and kqueue's own
     edges, serve every completion).
   - Everything is caller-owned: the loop (dx_reactor) and every operation
     (dx_op, with an intrusive next pointer). Nothing is allocated per
     operation: the loop's fd table lives in memory you give init (or that
     create allocates once).
   - Results: a count (bytes, or the accepted fd) >= 0, or a dx_result
     mapped from errno; the raw errno stays in op->os_error.
   - Backends: io_uring (raw system calls, no liburing), epoll, kqueue (the
     BSDs, macOS), poll(), IOCP (Windows: overlapped I/O on a completion
     port); the first in a priority list that works at run time is kept, in
     the loop object (dx_reactor_backend). Each is one table of functions (BACKENDS);
     a custom backend (dx_reactor_custom, the same shape) lets firmware with
     its own network stack plug in, with no OS header at all.
   - Run modes: NOWAIT (one turn without blocking), ONCE (block until at
     least one callback ran), UNTIL_DONE (until no operation is pending or
     dx_reactor_stop).
   DOES NOT: own your buffers, retry partial sends (a send completes with
   the bytes the kernel took, as on io_uring), resolve host names, or do
   TLS.

API
   Loop (one thread; only dx_reactor_wake is safe from other threads)
   size_t dx_reactor_memory_size(const dx_reactor_config *cfg)
       bytes init needs: the fd table of the hungriest backend in cfg's list
       (see MEMORY); 0 when none needs memory (a custom backend) or cfg is
       invalid. cfg may be NULL (all defaults). With max_fds 0 it reads
       RLIMIT_NOFILE, as init does: set max_fds for a fixed figure.
   dx_result dx_reactor_init(dx_reactor *r, const dx_reactor_config *cfg, void *mem, size_t mem_size)
       tries cfg->backends[0..backend_count) in order (empty: io_uring,
       epoll, kqueue, poll) and keeps the first that works. The fd table lives in
       mem (yours, pointer-aligned, at least memory_size bytes; NULL when
       memory_size is 0) until deinit. allocates: no; it does take OS
       resources: an eventfd (or pipe), the epoll fd, the kqueue, or the
       io_uring ring fd and its mmapped rings (released by deinit). errors: DX_ERR_NOSPACE
       (mem too small), DX_ERR_INVAL, DX_ERR_UNSUPPORTED (no backend works).
   dx_result dx_reactor_create(dx_reactor *r, const dx_reactor_config *cfg)
       memory_size bytes from cfg->allocator (zero: DX_MALLOC), then init.
       allocates: yes, once. errors: those of init, DX_ERR_NOMEM.
   void dx_reactor_deinit(dx_reactor *r)
       releases the OS resources (fds, rings); the memory stays yours.
       Pending operations are dropped, not called back: run until done (or
       close their fds) first.
   void dx_reactor_destroy(dx_reactor *r)     deinit, then frees what create took
   dx_result dx_reactor_submit(dx_reactor *r, dx_op *op, dx_reactor_cb cb, void *user)
       queues a filled op (QUEUED); it starts at the next loop turn, all
       queued ops together (one io_uring_enter). errors: DX_ERR_MISUSE (op
       not IDLE), DX_ERR_INVAL. allocates: no.
   dx_result dx_reactor_run(dx_reactor *r, dx_reactor_run_mode mode)
       runs turns: start queued ops, wait for completions (never blocking in
       NOWAIT), expire timers, call callbacks. errors: a mapped errno from
       the backend's wait.
   void dx_reactor_stop(dx_reactor *r)          run returns after this turn
   dx_result dx_reactor_wake(dx_reactor *r)     any thread: wakes the loop and
       completes every pending wake-wait op (res 0).
   uint64_t dx_reactor_now(const dx_reactor *r) monotonic ns, updated each turn
   dx_reactor_backend_id dx_reactor_backend(const dx_reactor *r)
   const char *dx_reactor_backend_name(const dx_reactor *r)   "io_uring", "epoll", ...
   const char *dx_reactor_backend_id_name(dx_reactor_backend_id id)
   uint32_t dx_reactor_features(const dx_reactor *r)   DX_REACTOR_FEAT_* bits
   void dx_reactor_read_stats(const dx_reactor *r, dx_reactor_stats *out)
       copies the counters: enters (system calls that submit or wait), ops
       started and completed, ...
   const char *dx_reactor_result_name(dx_result r)

   Operations (fill fields only; allocates: no). Filling makes the op IDLE:
   fill a new op or an IDLE one, never one in flight (a filler does not
   check: a refilled op in flight would be queued twice). In its callback
   an op is IDLE: refill it and return REARM to submit it with the new
   fields. Every fd of an op on the readiness backends (epoll, kqueue,
   poll) must be non-blocking (O_NONBLOCK): a blocking one stalls the whole
   loop inside the system call; io_uring takes either (below).
   void dx_op_accept(dx_op *op, uintptr_t listen_fd, void *addr_out, uint32_t addr_cap)
       res: the new fd (close-on-exec; non-blocking on epoll/poll, blocking on
       io_uring, which waits for it itself); addr_out may be NULL;
       op->addr_len holds the address length after completion. On io_uring
       an accept without addr_out is one multishot accept: returning REARM
       keeps it armed in the kernel (no new submission); DISARM cancels it.
   void dx_op_connect(dx_op *op, uintptr_t fd, const dx_reactor_addr *addr)
       res: 0, DX_REACTOR_ERR_REFUSED, ... The socket must be non-blocking
       (dx_reactor_tcp_socket makes one).
   void dx_op_recv(dx_op *op, uintptr_t fd, void *buf, size_t len)     res: bytes, 0 at end of stream
   void dx_op_send(dx_op *op, uintptr_t fd, const void *buf, size_t len)  res: bytes sent (may be < len)
   void dx_op_recvv(dx_op *op, uintptr_t fd, const dx_reactor_iovec *iov, uint32_t count)
   void dx_op_sendv(dx_op *op, uintptr_t fd, const dx_reactor_iovec *iov, uint32_t count)
   void dx_op_read(dx_op *op, uintptr_t fd, void *buf, size_t len, uint64_t offset)
   void dx_op_write(dx_op *op, uintptr_t fd, const void *buf, size_t len, uint64_t offset)
       offset DX_OP_OFFSET_CURRENT: the file position (pipes, terminals).
   void dx_op_timer(dx_op *op, uint64_t ns, uint32_t flags)
       ns from now, or with DX_OP_FLAG_TIMER_ABS an absolute dx_reactor_now()
       value. res: 0. Never fires early; equal deadlines fire in submit order.
   void dx_op_cancel(dx_op *op, dx_op *target)
       res: 0 (target completes with DX_ERR_CANCELED, before this op),
       DX_ERR_NOTFOUND (target is not in flight: IDLE or already finished).
   void dx_op_close(dx_op *op, uintptr_t fd)
       ops pending on fd complete with DX_ERR_CANCELED, then fd is closed;
       their callbacks run before the close's own, so that one may free a
       connection holding them.
       Close fds the loop has seen with this op (or dx_reactor_fd_close): the
       readiness backends must forget them before the number is reused.
   void dx_op_wake_wait(dx_op *op)     res: 0 after dx_reactor_wake (REARM to keep waiting)
   void dx_op_recv_multi(dx_op *op, uintptr_t fd, dx_reactor_bufring *br)
       receives into the ring's buffers: each callback gets res bytes at
       op->buf (valid until the callback returns; the buffer then goes back
       to the ring), 0 at end of stream. Return REARM (without refilling the
       op) to keep receiving: on io_uring one multishot recv serves every
       callback, armed again by the loop when the buffers ran out (-ENOBUFS)
       or the kernel ended it (CQE_F_MORE clear); stats.rearms counts that.
       DISARM stops it (io_uring: canceled in the kernel; late completions
       are dropped, their buffers recycled). res DX_ERR_NOMEM: no buffer
       free (epoll/poll: every buffer is held by a callback in progress).
   void dx_op_poll(dx_op *op, uintptr_t fd, uint32_t events)
       readiness instead of I/O: completes once, when any of events
       (DX_OP_POLL_IN, DX_OP_POLL_OUT) is ready on fd, or at once when one
       is ready already. res: the bits that are ready (the events asked for,
       plus DX_OP_POLL_ERR and DX_OP_POLL_HUP, which are always reported
       and need no asking), or a dx_result. Nothing is read or written: the
       caller (the library) does its own recv or send, then polls again.
       Without DX_OP_POLL_EDGE: level-triggered and one-shot on every
       backend: data left unread makes the next poll complete at once;
       REARM polls again (one new poll). IN: data, a connection to accept, or the end of the stream
       (the peer's close or shutdown: with IN also HUP, where the system
       reports it: POLLRDHUP on Linux (and wherever <poll.h> has it),
       Windows' disconnect; systems without POLLRDHUP report IN alone for a
       TCP peer's close); HUP alone: the connection is
       gone both ways, or a pipe's writer closed; ERR: an error is pending
       (a reset: ERR and HUP). Cancelable (res DX_ERR_CANCELED); dx_op_close
       and dx_reactor_fd_close complete a pending poll on the fd with
       DX_ERR_CANCELED, as any op. A poll beside a recv on the same fd sees
       the state after the recv took its bytes, or before: poll for what
       you will read yourself. Sockets and pipes; on IOCP sockets only
       (pipes and files: DX_ERR_UNSUPPORTED) and at most 256 polls in flight
       per loop (DX_ERR_LIMIT); custom backends: what theirs does (BACKENDS).
       events | DX_OP_POLL_EDGE: edge-triggered and multishot, as EPOLLET.
       It completes at once when the fd is ready already, then each time it
       becomes ready again for the events (data arrived, space freed, the
       peer hung up); return REARM (without refilling the op) to keep it
       armed, DISARM, dx_op_cancel or a close to stop it (DX_ERR_CANCELED
       once; no callback after a DISARM). Before REARM, read (or write)
       until EAGAIN: an edge that came while the fd still held data, or
       still had room, may not be reported again; after the end of the
       stream (a read of 0, HUP) no edge follows: DISARM. A backend may report more
       often than edges (a wake-up that changed nothing, or a level poll):
       a completion means "look now", never "this much arrived". io_uring:
       one multishot POLL_ADD (IORING_POLL_ADD_MULTI, Linux 5.13; FEAT_POLL_MULTI)
       serves every completion, no new submission per event (stats.started
       counts one; stats.rearms counts the kernel ending it, which the loop
       arms again); a kernel without it, DX_REACTOR_CFG_NO_POLL_MULTI, or a
       second multishot on the same fd (one per fd: recv_multi and the
       multishot accept use the same place) get a one-shot POLL_ADD per REARM
       (and a recv_multi beside an armed EDGE poll says DX_ERR_BUSY).
       epoll, kqueue: one look when it starts, then the fd's own edge events
       serve it, with no poll() per event. poll(), IOCP, custom: the level
       poll again on each REARM (spurious completions, as above: a REARM
       while the fd is still ready completes again at once).
   size_t dx_reactor_bufring_memory_size(const dx_reactor_bufring_config *cfg)
       cfg->count buffers (a power of two up to 32768) of cfg->size bytes,
       then a free list of 2 bytes per buffer; 0: an invalid cfg.
   dx_result dx_reactor_bufring_init(dx_reactor *r, dx_reactor_bufring *br,
                                     const dx_reactor_bufring_config *cfg, void *mem, size_t mem_size)
       the buffers at mem (yours, at least memory_size bytes; br->mem = mem).
       allocates: no. io_uring: maps and registers a provided-buffer ring
       (IORING_REGISTER_PBUF_RING, 5.19; 16 bytes per buffer, an OS resource
       like the loop's rings) with buffer group id cfg->group (unique per
       loop). errors: DX_ERR_INVAL, DX_ERR_NOSPACE, mapped errno.
   dx_result dx_reactor_bufring_create(r, br, cfg) / void dx_reactor_bufring_destroy(r, br)
       create takes memory_size bytes from cfg->allocator, then init;
       destroy is deinit, then the free.
   void dx_reactor_bufring_deinit(dx_reactor *r, dx_reactor_bufring *br)
       after its recvs ended: unregisters and unmaps the io_uring ring.

   Callback: dx_reactor_action cb(dx_reactor *r, dx_op *op, int64_t res, void *user)
       returns DX_REACTOR_DISARM (op is IDLE) or DX_REACTOR_REARM (the same
       op, same fields, is submitted again). res is also in op->res.

   Thread-per-core workers (pthreads on POSIX, CreateThread on Windows; each worker creates its loop)
   uint32_t dx_reactor_cpu_count(void)          online CPUs
   dx_result dx_reactor_workers_start(dx_reactor_workers *g, const dx_reactor_workers_config *cfg,
                                      dx_reactor_worker *workers, uint32_t capacity)
       starts cfg->count threads (0: one per CPU), each with its own loop
       (dx_reactor_create in that thread, with cfg->reactor and its
       allocator; destroyed when the worker ends), its own SO_REUSEPORT
       listener on cfg->listen (w->listen_fd) and, with cfg->pin, pinned to
       CPU i % CPUs; calls
       cfg->on_start(w, user) in the worker once its loop runs: submit the
       accept there. errors: DX_ERR_NOSPACE (capacity), the first worker's
       init or listen error (everything started is stopped again).
       Windows: with cfg->listen, one worker only (DX_ERR_UNSUPPORTED for
       more): there is no SO_REUSEPORT, and a socket belongs to one
       completion port, so loops cannot share a listener either.
   dx_result dx_reactor_workers_stop(dx_reactor_workers *g)
       graceful: each worker closes its listener (a pending accept completes
       with DX_ERR_CANCELED: do not REARM it), calls cfg->on_stop, runs until
       its in-flight ops are done (close idle connections in on_stop), and is
       joined. Returns the first worker's run error, else DX_OK; from one
       of g's own workers (a callback): DX_ERR_MISUSE, nothing done.
   dx_reactor_worker *dx_reactor_workers_current(const dx_reactor_workers *g)
       the calling thread's worker in g, or NULL (another thread).

   Socket helpers (blocking calls, no loop needed)
   dx_result dx_reactor_addr_make(dx_reactor_addr *out, const char *ip, uint16_t port)   IPv4 or IPv6 literal
   int64_t dx_reactor_tcp_socket(bool ipv6)     a non-blocking TCP socket, or an error
       (Windows: an overlapped SOCKET, not inherited: IOCP needs overlapped sockets)
   int64_t dx_reactor_tcp_listen(const dx_reactor_addr *addr, int backlog, uint32_t flags)
       flags DX_REACTOR_LISTEN_REUSEPORT (Windows: DX_ERR_UNSUPPORTED; it
       uses SO_EXCLUSIVEADDRUSE). res: listening non-blocking fd.
   int64_t dx_reactor_tcp_local_port(uintptr_t fd)
   int64_t dx_reactor_unix_listen(const char *path, int backlog)
       a listening non-blocking AF_UNIX stream socket at path (a socket file
       already there, left by an earlier run, is replaced; any other file is
       an error: DX_ERR_EXISTS). Accept on it with dx_op_accept.
   int64_t dx_reactor_unix_connect(const char *path)
       a non-blocking AF_UNIX stream socket connected to path (a local
       connect completes at once: no op needed). errors: DX_ERR_INVAL (path
       empty or too long), DX_ERR_AGAIN (the listener's backlog is full),
       DX_REACTOR_ERR_REFUSED, DX_ERR_NOTFOUND, ...
   dx_result dx_reactor_fd_close(dx_reactor *r, uintptr_t fd)   synchronous close; r may be NULL
       ops pending on fd in r complete with DX_ERR_CANCELED (in the next turn),
       those submitted but not started yet (a REARM in a callback) too

   Custom backend (dx_reactor_custom in the config, backend id CUSTOM)
   The vtable's start() begins an op and later calls
   dx_reactor_custom_complete(r, op, res, os_error) on the loop thread;
   wait(timeout_ns) blocks (-1: forever) until something completed or a wake
   arrived, and calls dx_reactor_custom_woken(r) for a wake; cancel(target)
   returns DX_OK if target will complete with DX_ERR_CANCELED (or already
   did), DX_ERR_NOTFOUND otherwise; wake() is called from any thread; now()
   (optional) is the loop's monotonic clock in ns, required without an OS
   (init says DX_ERR_INVAL there without it). init, deinit, wake, now may be
   NULL. Timers, queues and callbacks are the core's. tests/firmware/dx_reactor.c
   is a whole firmware-style program. dx_op_poll reaches start() as
   DX_OP_KIND_POLL (the events in op->flags): a stack that knows its
   buffers' state completes it with the ready DX_OP_POLL_* bits, at once
   when one is ready, or later; one that cannot completes it with
   DX_ERR_UNSUPPORTED (tests/reactor_test.c's mock network does the former).
   op->flags may hold DX_OP_POLL_EDGE: a stack may serve it as level (a
   REARM calls start() again), as the mock network does.

CONFIGURATION
   macro                      default  scope     effect
   DX_REACTOR_NO_IOURING      off      [impl]    leave the io_uring backend out (DX_REACTOR_NO_IO_URING too)
   DX_REACTOR_NO_EPOLL        off      [impl]    leave the epoll backend out
   DX_REACTOR_NO_POLL         off      [impl]    leave the poll() backend out
   DX_REACTOR_NO_KQUEUE       off      [impl]    leave the kqueue backend out
   DX_REACTOR_NO_IOCP         off      [impl]    leave the IOCP backend out (Windows: then only custom)
                                                 With every built-in backend left out, or on a
                                                 target without an OS, only the custom backend
                                                 remains (see BACKENDS).
   DX_REACTOR_KQUEUE_LIBKQUEUE off     [impl]    Linux: build the kqueue backend over libkqueue,
                                                 a kqueue emulation (-isystem its include/kqueue,
                                                 link -lkqueue -lpthread): how make cross tests it
   DX_REACTOR_MAX_BACKENDS    8        [global]  size of the config's priority list
   DX_REACTOR_DEFAULT_ENTRIES 256      [impl]    io_uring SQ entries when cfg.ring_entries is 0
   DX_REACTOR_ZC_MIN          65536    [impl]    io_uring, DX_REACTOR_CFG_SEND_ZC: sends of at least this many bytes use SEND_ZC
   DX_CONFIG_HEADER, DX_ASSERT, DX_MALLOC/DX_FREE, DX_STATIC/DX_REACTOR_STATIC,
   DX_REACTOR_API, DX_NO_ERROR_STRINGS as in every dx header.
   Config fields (zero = default): backends[]/backend_count; max_fds (fd
   table size; default the RLIMIT_NOFILE soft limit, at most 2^20, at least
   64); ring_entries; flags (DX_REACTOR_CFG_SQPOLL, DX_REACTOR_CFG_NO_DEFER,
   DX_REACTOR_CFG_NO_REGISTERED_RING, DX_REACTOR_CFG_SEND_ZC (off by
   default), DX_REACTOR_CFG_NO_SEND_ZC, DX_REACTOR_CFG_NO_POLL_MULTI); allocator
   (create's); custom.

MEMORY
   dx_reactor: about 360 bytes, plus dx_reactor_memory_size(cfg): a fd table
   of 64 bytes per fd of max_fds (io_uring, epoll, poll: io_uring keeps the
   sends waiting behind the one in flight there), and 12 more per fd for
   poll's arrays; kqueue: the fd table and a changelist of 64 struct
   kevent (2 or 4 KiB). The figure is the hungriest backend's in cfg's list (the
   default list includes poll: 76 bytes per fd); list one backend to pay for
   that one only. A custom backend needs none. io_uring also maps its rings
   (about 64 + 32 bytes per entry), an OS resource. dx_op: 160 bytes on
   x86-64. An idle connection with one pending recv costs 160 + 64 = 224
   bytes of user space plus your buffer (measured by the 10,000-connection
   test). IOCP has no fd table (max_fds has no effect there): 14,848 bytes,
   the address buffers of 64 pending accepts (104 bytes each) and the
   requests of 256 pending polls (32 bytes each), so an idle
   connection costs its dx_op (160 bytes) plus your buffer. Nothing is
   allocated after create; init and everything else never allocate.
   Resident memory: create with the default allocator takes the table from
   calloc and leaves it unwritten (an empty slot is zero bytes), so only the
   pages of the fds in use become resident: a loop that serves a few fds
   costs a few KiB however high RLIMIT_NOFILE is. Memory given to init, or
   from your allocator, is cleared by init: all of it is written.

ERRORS
   DX_REACTOR_ERR_REFUSED (ECONNREFUSED), _RESET (ECONNRESET, ECONNABORTED),
   _ADDRINUSE, _UNREACHABLE (ENETUNREACH, EHOSTUNREACH, ENETDOWN), _DENIED
   (EPERM, EACCES), _BADF (EBADF, ENOTSOCK); common: DX_ERR_CLOSED (EPIPE),
   DX_ERR_CANCELED (ECANCELED), DX_ERR_TIMEOUT (ETIMEDOUT, ETIME),
   DX_ERR_NOTFOUND (ENOENT), DX_ERR_AGAIN, DX_ERR_BUSY (EALREADY, EBUSY),
   DX_ERR_NOMEM (ENOMEM, ENOBUFS), DX_ERR_LIMIT (EMFILE, ENFILE, fd >=
   max_fds), DX_ERR_INVAL, DX_ERR_UNSUPPORTED (ENOSYS, EOPNOTSUPP), DX_ERR_IO,
   otherwise DX_ERR_OS. op->os_error keeps the errno (0 when none); on IOCP
   the Win32 or Winsock error (GetLastError, WSAGetLastError: WSAECONNRESET,
   ERROR_CONNECTION_REFUSED, ...), mapped the same way (ERROR_OPERATION_ABORTED:
   DX_ERR_CANCELED; the end of a file or pipe: a read of 0 bytes).

THREADING
   One loop per thread (thread-per-core: one loop and one SO_REUSEPORT
   listener per worker). dx_reactor_wake is the only call safe from any
   thread. An op belongs to the loop from submit until its callback returns
   DISARM; it may be freed or reused only when IDLE, including inside its
   own callback after it returns DISARM. Close an fd that has ops pending
   with dx_op_close or dx_reactor_fd_close, never close(2): on io_uring a
   recv pending in the kernel stays pending (the loop never ends), and the
   readiness backends cancel it through whatever fd reuses the number. Make a loop in the thread that runs
   it: io_uring's SINGLE_ISSUER ring and registered ring fd belong to the
   thread that created them (the workers do this for you).

SECURITY MODEL
   Trusted: the config, the ops and buffers you pass. Untrusted: the bytes
   received, which this header never interprets.

BACKENDS
   One table of functions per backend (miniaudio's ma_backend_callbacks):
   the core (queues, the timer heap, the loop, init) calls a backend only
   through it, and each backend fills it in its own section of the
   implementation, under its own #if: init and deinit (OS resources), start
   (an I/O op), cancel (an op the backend holds), wait (block for
   completions; the loop's one system call per turn), wake (any thread),
   fd_forget (dx_reactor_fd_close), and, where a backend needs them, now (the
   clock), peek (completions without a system call), multi_after (a multishot
   op after its callback), the buffer-ring hooks and watch (readiness: fd
   interest). Each backend's state is a member of one union in dx_reactor.
   The custom backend is the same table over dx_reactor_custom's functions.
   Built in: io_uring and epoll on Linux (io_uring needs GCC or Clang), kqueue
   on FreeBSD, macOS, OpenBSD, NetBSD and DragonFly (and on Linux with
   DX_REACTOR_KQUEUE_LIBKQUEUE), poll() on POSIX (__unix__, __APPLE__, ...),
   IOCP on Windows (_WIN32); each one can be left out
   (CONFIGURATION). Without an OS (no __unix__, __linux__, __APPLE__; not
   _WIN32: firmware) no OS header is included, only the custom backend
   exists, the socket helpers, the workers and dx_reactor_fd_close say
   DX_ERR_UNSUPPORTED, and custom->now is the clock.
   Default order: io_uring, epoll, kqueue, poll(), each where it is built:
   on Linux io_uring, then epoll, then poll(); on the BSDs and macOS kqueue,
   then poll(); elsewhere on POSIX poll(); on Windows IOCP. Each is probed at init: io_uring falls back when
   io_uring_setup fails (ENOSYS, EPERM from seccomp, the io_uring_disabled
   sysctl), when the kernel lacks EXT_ARG (5.11), or when a needed opcode is
   missing. io_uring setup: SINGLE_ISSUER|DEFER_TASKRUN, else COOP_TASKRUN,
   else plain; registered ring fd when available; one io_uring_enter per
   turn submits everything queued and waits (stats.enters counts them);
   SQPOLL only with DX_REACTOR_CFG_SQPOLL. One send in flight per socket, the
   others wait in order, so bytes never reorder. io_uring honours O_NONBLOCK:
   an op on a non-blocking fd that would block is retried after a POLL_ADD
   (one more round trip), so sockets accepted on io_uring are left blocking
   and listeners are best made blocking there (fcntl) for speed; sockets
   from dx_reactor_tcp_socket (non-blocking, for every backend) work too.
   With DX_REACTOR_CFG_SEND_ZC, sends of DX_REACTOR_ZC_MIN bytes or more
   use SEND_ZC where the kernel has it (probed): the callback runs only
   after the notification CQE (IORING_CQE_F_NOTIF), when the buffer is free
   again; a socket that refuses zero copy (AF_UNIX: EOPNOTSUPP) gets a plain
   send. Off by default (0.6.0): TCP posts that notification once the peer
   has acknowledged the bytes, so with one send in flight per socket every
   large send waited for an ACK, a round trip on a network and up to the
   peer's delayed-ACK timer (40 ms on Linux) on loopback: a dx_sync fetch
   whose last answers were small took 55 ms instead of 18. Ask for it where
   the peer reads and acknowledges at once and the copy's CPU matters.
   Timers are kept by the loop (a pairing heap: O(1) insert, O(log n)
   removal) on every backend and bound the wait; close cancels the ops
   pending on the fd (IORING_ASYNC_CANCEL_FD, 5.19) before closing it.
   epoll: edge-triggered, one epoll_ctl per fd for its lifetime; the
   system call is tried first and armed only on EAGAIN, except a recv after
   a short read on a stream socket (it emptied the socket: an echo server's
   next recv would only say EAGAIN), which waits for readiness first (on
   io_uring, RECVSEND_POLL_FIRST there made pipelined echoes slower: when the
   data is already there, the poll defers the recv to task work). poll(): the fds
   with waiting ops, rebuilt each turn (a fallback: O(fds) per turn).
   dx_op_poll, level-triggered one-shot, the same everywhere: io_uring
   submits a one-shot IORING_OP_POLL_ADD (POLLRDHUP with POLLIN; its result
   is the mask), canceled by ASYNC_CANCEL like any op. epoll, kqueue and
   poll() look at the fd with poll() and a zero timeout when the op starts
   and after each event their own machinery reports for the fd (the
   "watch" hook keeps the fd's interest: epoll's edge-triggered IN|OUT,
   kqueue's read and write filters, poll()'s events), so the result is the
   fd's state then, not a stale edge: one poll() system call per start and
   per event, none on the recv and send paths. Poll ops wait in a list of
   their own per fd (they may want IN and OUT at once), in the fd table's
   multishot slot, which only io_uring uses otherwise (the table stays 64
   bytes per fd).
   dx_op_poll with DX_OP_POLL_EDGE, edge-triggered and multishot where the
   backend has edges. io_uring: POLL_ADD with IORING_POLL_ADD_MULTI in
   sqe->len (Linux 5.13; an older kernel fails it with EINVAL, so the loop
   asks for it only when io_uring_setup reports IORING_FEAT_RSRC_TAGS, which
   came in the same release: DX_REACTOR_FEAT_POLL_MULTI). The kernel
   (io_uring/poll.c) arms it edge-triggered (EPOLLET unless
   IORING_POLL_ADD_LEVEL), posts a CQE at once if the fd is ready when it
   arms, then one with CQE_F_MORE at each wake-up of the fd's wait queue
   that finds it ready for the events (each arrival, not only the first: a
   superset of edges); CQE_F_MORE clear means it ended (canceled, or the
   completion queue overflowed): a REARM arms it again (stats.rearms). Its
   user_data is the fd's slot, tagged like a multishot recv's, so DISARM
   (ASYNC_CANCEL by that tag) drops its late CQEs; CQEs that come while the
   callback of the last one is pending add their bits to it (one callback
   for them all: it reads until EAGAIN anyway). One multishot per fd (the
   slot): a second is served one-shot.
   epoll and kqueue: the first start looks with poll() (the fd may be ready
   already, its edge long reported); afterwards the op waits in the fd's
   poll list and takes each event's own bits (epoll: EPOLLIN, EPOLLOUT,
   EPOLLERR, EPOLLHUP, EPOLLRDHUP as HUP with IN; kqueue: the read filter
   is IN, with EV_EOF also HUP, the write filter OUT, with EV_EOF HUP,
   fflags ERR), and a REARM puts it back in the list with no system call.
   epoll's events carry the fd's whole state, so an OUT poll may complete
   when data arrives on a writable socket; kqueue's write filter is
   dispatched (re-enabled on REARM: it reports at once while the socket is
   writable, so write until EAGAIN first). poll() and IOCP have no edges:
   there EDGE is the level one-shot poll, started again on REARM.
   kqueue (written from the FreeBSD and macOS kqueue(2) manual pages; its
   section says more): EVFILT_READ with EV_CLEAR added once per fd,
   EVFILT_WRITE with EV_CLEAR|EV_DISPATCH added when a writer waits (an idle
   writable socket never wakes the loop), every change batched into the
   kevent() call that waits; EV_EOF ends reads or fails them with the socket
   error; wake by EVFILT_USER (a pipe on OpenBSD, which lacks it). Tested over
   libkqueue on Linux (make cross), not on a BSD or macOS kernel.
   IOCP (Windows, Vista and later): completion-native, like io_uring. Every
   I/O op carries its OVERLAPPED inside dx_op (priv), so a packet leads to
   its op with no lookup; one GetQueuedCompletionStatusEx per turn takes up
   to 64 packets (stats.enters); dx_reactor_wake posts a packet
   (PostQueuedCompletionStatus). accept: AcceptEx (the extension pointers
   from WSAIoctl at init) into a new socket of the listener's family, then
   SO_UPDATE_ACCEPT_CONTEXT; the peer address via GetAcceptExSockaddrs;
   at most 64 accepts pending per loop (DX_ERR_LIMIT beyond: their address
   buffers are the loop's memory). connect: ConnectEx on a socket it binds
   to any address first (unless bound), then SO_UPDATE_CONNECT_CONTEXT.
   recv, send, recvv, sendv: overlapped WSARecv and WSASend (up to 64
   vectors per call; more: a shorter transfer); on a handle that is not a
   socket (a pipe) ReadFile and WriteFile, first vector only. read, write:
   ReadFile and WriteFile with the offset in the OVERLAPPED; handles must be
   opened with FILE_FLAG_OVERLAPPED; DX_OP_OFFSET_CURRENT reads at the file
   pointer (and moves it on) and writes at the end of the file. A handle is
   tied to the loop's port when its first op starts, and gets
   FILE_SKIP_COMPLETION_PORT_ON_SUCCESS where that is safe (files, pipes;
   sockets only when the TCP provider hands out IFS handles: a layered
   provider without them may post packets all the same), so an op that
   succeeds at once completes inline with no packet. A socket belongs to
   one port: one loop per socket. dx_op_poll: the AFD driver's poll
   (IOCTL_AFD_POLL, as wepoll and libuv use it; not documented by
   Microsoft) issued with DeviceIoControl on the socket
   itself, for its base handle (SIO_BASE_HANDLE), so its packet comes to the
   loop's port like any op's: IN asks for receive, accept and disconnect,
   OUT for send, and abort and connect-fail always (ERR, HUP); a local
   close completes it with DX_ERR_CANCELED. The driver answers into the
   request, which lives in the loop's memory: at most 256 polls in flight
   (DXI_IOCP_POLLS; DX_ERR_LIMIT beyond). Pipes and files have no
   readiness on Windows (there is nothing to ask the kernel short of a
   zero-byte read, which would consume an end of pipe): DX_ERR_UNSUPPORTED.
   Runs under Wine 8.0 (its ntdll implements the ioctl on sockets); not run
   on a Windows kernel. cancel: CancelIoEx on the target's
   OVERLAPPED (its packet then says ERROR_OPERATION_ABORTED; the cancel
   completes after it). close: CancelIoEx on every op of ours on the handle,
   then closesocket (or CloseHandle) once their packets are in, so their
   callbacks run first, as elsewhere. recv_multi: one WSARecv per callback
   into a free buffer of the ring (no multishot in the kernel). Timers: the
   loop's heap, the wait's timeout rounded up to milliseconds; the clock is
   QueryPerformanceCounter. Workers: CreateThread and SetThreadAffinityMask
   (the first 64 CPUs); with cfg.listen one worker only (no SO_REUSEPORT,
   and a socket belongs to one port): more say DX_ERR_UNSUPPORTED.
   Link: nothing on Linux (pthreads are in libc); -lpthread on older libcs;
   with DX_REACTOR_KQUEUE_LIBKQUEUE, -lkqueue;
   Windows: -lws2_32 (MSVC: pulled in by a #pragma; AcceptEx and ConnectEx
   come through WSAIoctl, so no -lmswsock).

VERSION HISTORY
   0.6.1 (2026-11-29) dx_reactor_workers_stop no longer wakes a worker
         whose loop is being destroyed (a worker that ended on its own, as
         dx_net.h's do after a graceful stop: the wake could write into a
         closed, even reused, eventfd; found by ThreadSanitizer on
         io_uring), and from one of its own workers says DX_ERR_MISUSE (it
         would join itself). dx_reactor_workers_current. Docs: fds for
         the readiness backends are non-blocking; an op in its callback.
   0.5.2 (2026-11-28) at most 8 turns in a row skip the backend's wait:
         ops that kept completing at once (IOCP's skip-on-success on a
         connection that always had data) starved every packet of the
         port; hbtp_server on IOCP answered one of 16 connections, the
         other 15 waiting in the listener's backlog until it went idle.
   0.5.1 (2026-11-25) create leaves its fd table unwritten (calloc'd): a
         loop's resident memory no longer grows with RLIMIT_NOFILE (it was
         76 bytes per fd of the limit: 1.5 MB at 20,000, 80 MB at 2^20).
   0.5.0 (2026-11-23) dx_op_poll(op, fd, events | DX_OP_POLL_EDGE):
         edge-triggered and multishot; REARM keeps it armed. io_uring: one
         POLL_ADD with IORING_POLL_ADD_MULTI (Linux 5.13, probed:
         DX_REACTOR_FEAT_POLL_MULTI; DX_REACTOR_CFG_NO_POLL_MULTI turns it
         off) serves every completion; epoll, kqueue: the fd's edge events
         serve it, no poll() per event; poll(), IOCP, custom: level, re-armed
         (BACKENDS). Without the flag nothing changes. stats.rearms also
         counts multishot accepts and EDGE polls the kernel ended.
         dx_reactor_fd_close also cancels the ops on fd that were submitted
         but not started yet (a REARM in a callback): they started on the
         closed number and failed with DX_REACTOR_ERR_BADF (or worse, on a
         number reused meanwhile).
   0.4.1 (2026-11-23) Windows: dx_reactor_workers_start with cfg->listen
         runs one worker with its listener (any count said
         DX_ERR_UNSUPPORTED); more than one still does.
   0.4.0 (2026-11-23) kqueue backend (FreeBSD, macOS, OpenBSD, NetBSD,
         DragonFly): DX_REACTOR_BACKEND_KQUEUE works, in the default order
         after epoll and before poll() (the BSDs and macOS used poll() so
         far); DX_REACTOR_NO_KQUEUE leaves it out; on Linux
         DX_REACTOR_KQUEUE_LIBKQUEUE builds it over libkqueue, where the
         conformance suite runs (make cross). dx_reactor_backend_state gains
         a kqueue member (the union keeps its size).
         IOCP backend on Windows (AcceptEx, ConnectEx,
         overlapped WSARecv/WSASend and ReadFile/WriteFile,
         GetQueuedCompletionStatusEx, CancelIoEx, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
         see BACKENDS): the default (and only built-in) backend there, where
         init used to say DX_ERR_UNSUPPORTED. The socket helpers, dx_reactor_fd_close,
         dx_reactor_cpu_count and the workers (CreateThread, no listener)
         work on Windows; DX_REACTOR_NO_IOCP takes effect; a Windows clock
         (QueryPerformanceCounter) for the core and the custom backend;
         dx_reactor_from_errno maps the C runtime's errno there. The
         conformance suite runs on IOCP under Wine in make cross.
         dx_op_poll(op, fd, events): readiness for libraries that do their
         own I/O; res: DX_OP_POLL_IN, _OUT, _ERR, _HUP bits (enum
         dx_op_poll_event); one-shot, level-triggered on every backend
         (io_uring POLL_ADD; epoll, kqueue, poll(): their own events, then a
         poll() look; IOCP: the AFD driver's poll, sockets only; custom:
         start() gets DX_OP_KIND_POLL, a new kind before DX_OP_KIND_COUNT).
         The IOCP loop's memory grows by 8 KiB (256 poll requests).
         dx_reactor_unix_listen, dx_reactor_unix_connect (AF_UNIX
         stream sockets, for dx_net.h). epoll: a recv after a short read
         tries first once the peer's FIN was reported (EPOLLRDHUP): it waited
         for an edge that never comes when data and FIN arrived together,
         and hung (found by dx_net.h's tests; reactor_test's short_reads
         checks it).
   0.3.0 (2026-11-23) every backend is one table of functions, filled in its
         own section (io_uring, epoll, poll, custom; places left for kqueue
         and IOCP); the core never asks which backend runs. struct dx_reactor:
         the backends' fields in one union (be: uring, epoll, poll, custom;
         poll_fd, pfds, pfd_list, pfd_count, wake_buf and custom moved there),
         a private vt pointer; 360 bytes instead of 392 on x86-64.
         dx_reactor_custom: now, an optional clock (after user). DX_REACTOR_NO_KQUEUE,
         DX_REACTOR_NO_IOCP (no effect yet), DX_REACTOR_NO_IO_URING (=
         DX_REACTOR_NO_IOURING); the header no longer defines DX_REACTOR_NO_*
         itself. A target without an OS builds the custom backend only, with
         no OS header (tests/firmware/dx_reactor.c, make cross). Behaviour
         otherwise unchanged; bench/reactor_ab.sh measures old against new
         in one run.
   0.2.0 (2026-11-23) the lifecycle of every dx object: dx_reactor_init(r, cfg)
         (allocated) -> dx_reactor_memory_size(cfg) + dx_reactor_init(r, cfg,
         mem, mem_size) (caller memory, never allocates) or
         dx_reactor_create(r, cfg); dx_reactor_deinit releases OS resources,
         dx_reactor_destroy also frees. dx_reactor_bufring_init(r, br, mem,
         count, size, group) -> dx_reactor_bufring_config {count, size, group,
         allocator} + dx_reactor_bufring_memory_size(cfg) +
         dx_reactor_bufring_init(r, br, cfg, mem, mem_size) (the memory holds
         the buffers and the free list) or dx_reactor_bufring_create;
         dx_reactor_bufring_destroy. Enums by group: DX_OP_<kind> ->
         DX_OP_KIND_<kind> (NONE, ACCEPT, ..., RECV_MULTI; DX_OP_KIND_COUNT
         new), DX_OP_IDLE/QUEUED/ACTIVE -> DX_OP_STATE_*, DX_OP_TIMER_ABS ->
         DX_OP_FLAG_TIMER_ABS (typed enums dx_op_kind, dx_op_state,
         dx_op_flag); the listen and config flags have their own enums.
         dx_reactor_get_stats -> dx_reactor_read_stats. dx_op.priv[8] ->
         dx_op.priv (union dx_op_priv: timer, multi, msghdr, zc) and
         dx_op.canceler; dx_op stays 160 bytes. dx_reactor_tcp_socket(int) ->
         (bool); dx_reactor_workers_config.pin uint32_t -> bool; struct
         dx_reactor: alloc -> allocator, stop is bool.
   0.1.1 (2026-11-23) a callback may free its op after DISARM (the loop read
         it afterwards); epoll, poll: a recv after a short read on a stream
         socket waits for readiness instead of trying first (one system call
         less per echo).
   0.1.0 (2026-11-23) first release: io_uring, epoll, poll; thread-per-core
         workers; custom backends; conformance tests over every backend.
   There is no ABI promise between versions: vendor the header, link statically.
*/
#if defined(DX_IMPLEMENTATION) && !defined(DX_REACTOR_IMPLEMENTATION)
#define DX_REACTOR_IMPLEMENTATION
#endif
/* The implementation needs POSIX declarations; this works when dx_reactor.h
   comes before any system header (see QUICK START). */
#if defined(DX_REACTOR_IMPLEMENTATION) && !defined(_WIN32) && !defined(_FEATURES_H) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE) && !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_BSD_SOURCE)
#define _DEFAULT_SOURCE 1
#endif
#ifndef DX_REACTOR_H
#define DX_REACTOR_H
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
#ifndef DX_REACTOR_API /* DX_REACTOR_API > DX_API > static (DX_STATIC / DX_REACTOR_STATIC) > extern */
#if defined(DX_API)
#define DX_REACTOR_API DX_API
#elif (defined(DX_STATIC) || defined(DX_REACTOR_STATIC)) && (defined(__GNUC__) || defined(__clang__))
#define DX_REACTOR_API static __attribute__((unused))
#elif defined(DX_STATIC) || defined(DX_REACTOR_STATIC)
#define DX_REACTOR_API static
#else
#define DX_REACTOR_API extern
#endif
#endif

#define DX_REACTOR_VERSION_MAJOR 0
#define DX_REACTOR_VERSION_MINOR 6
#define DX_REACTOR_VERSION_PATCH 1
#define DX_REACTOR_VERSION DX_VERSION_PACK(0, 6, 1)

#ifndef DX_REACTOR_MAX_BACKENDS /* entries in dx_reactor_config.backends */
#define DX_REACTOR_MAX_BACKENDS 8
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DX_REACTOR_ERR_REFUSED = -100,     /* ECONNREFUSED */
    DX_REACTOR_ERR_RESET = -101,       /* ECONNRESET, ECONNABORTED */
    DX_REACTOR_ERR_ADDRINUSE = -102,   /* EADDRINUSE, EADDRNOTAVAIL */
    DX_REACTOR_ERR_UNREACHABLE = -103, /* ENETUNREACH, EHOSTUNREACH, ENETDOWN */
    DX_REACTOR_ERR_DENIED = -104,      /* EPERM, EACCES */
    DX_REACTOR_ERR_BADF = -105         /* EBADF, ENOTSOCK */
};

typedef enum dx_reactor_backend_id {
    DX_REACTOR_BACKEND_DEFAULT = 0, /* in a config list: the end of the list */
    DX_REACTOR_BACKEND_IOURING = 1,
    DX_REACTOR_BACKEND_EPOLL = 2,
    DX_REACTOR_BACKEND_POLL = 3,
    DX_REACTOR_BACKEND_KQUEUE = 4,  /* the BSDs, macOS (Linux: DX_REACTOR_KQUEUE_LIBKQUEUE) */
    DX_REACTOR_BACKEND_IOCP = 5,    /* Windows */
    DX_REACTOR_BACKEND_CUSTOM = 6,  /* cfg.custom */
    DX_REACTOR_BACKEND_FORCE_32BIT = 0x7fffffff
} dx_reactor_backend_id;

typedef enum dx_reactor_action {
    DX_REACTOR_DISARM = 0, /* the op is done and IDLE */
    DX_REACTOR_REARM = 1,  /* submit the same op again */
    DX_REACTOR_ACTION_FORCE_32BIT = 0x7fffffff
} dx_reactor_action;

typedef enum dx_reactor_run_mode {
    DX_REACTOR_RUN_UNTIL_DONE = 0, /* until no op is pending, or dx_reactor_stop */
    DX_REACTOR_RUN_ONCE = 1,       /* block until at least one callback ran */
    DX_REACTOR_RUN_NOWAIT = 2,     /* one turn, never blocking */
    DX_REACTOR_RUN_FORCE_32BIT = 0x7fffffff
} dx_reactor_run_mode;

typedef enum dx_op_kind { /* dx_op.kind: what the op does (set by the dx_op_* fillers) */
    DX_OP_KIND_NONE = 0, /* not filled */
    DX_OP_KIND_ACCEPT, DX_OP_KIND_CONNECT, DX_OP_KIND_RECV, DX_OP_KIND_SEND, DX_OP_KIND_RECVV, DX_OP_KIND_SENDV,
    DX_OP_KIND_READ, DX_OP_KIND_WRITE, DX_OP_KIND_TIMER, DX_OP_KIND_CANCEL, DX_OP_KIND_CLOSE, DX_OP_KIND_WAKE_WAIT,
    DX_OP_KIND_RECV_MULTI, DX_OP_KIND_POLL,
    DX_OP_KIND_COUNT     /* the number of kinds, not a kind */
} dx_op_kind;
typedef enum dx_op_state { /* dx_op.state */
    DX_OP_STATE_IDLE = 0,   /* yours: fill, free, reuse */
    DX_OP_STATE_QUEUED = 1, /* submitted, not started */
    DX_OP_STATE_ACTIVE = 2  /* started (in the kernel or waiting for readiness), or finished with its callback pending */
} dx_op_state;
typedef enum dx_op_flag { /* dx_op_timer's flags */
    DX_OP_FLAG_TIMER_ABS = 1 /* ns is a dx_reactor_now() deadline */
} dx_op_flag;
typedef enum dx_op_poll_event { /* dx_op_poll's events and its result (bits; poll()'s traditional values) */
    DX_OP_POLL_IN = 0x01,  /* readable: data, a connection to accept, or the end of the stream */
    DX_OP_POLL_OUT = 0x04, /* writable */
    DX_OP_POLL_ERR = 0x08, /* an error is pending (a result: always reported, never needs asking for) */
    DX_OP_POLL_HUP = 0x10, /* the peer hung up (a result: see dx_op_poll) */
    DX_OP_POLL_EDGE = 0x100 /* in events only: edge-triggered and multishot (see dx_op_poll); never in a result */
} dx_op_poll_event;
enum { /* dx_reactor_tcp_listen's flags */
    DX_REACTOR_LISTEN_REUSEPORT = 1 /* SO_REUSEPORT */
};
enum { /* dx_reactor_config.flags */
    DX_REACTOR_CFG_SQPOLL = 1,             /* io_uring: kernel submission thread (off by default) */
    DX_REACTOR_CFG_NO_DEFER = 2,           /* io_uring: do not ask for DEFER_TASKRUN/COOP_TASKRUN */
    DX_REACTOR_CFG_NO_REGISTERED_RING = 4, /* io_uring: do not register the ring fd */
    DX_REACTOR_CFG_NO_SEND_ZC = 8,         /* io_uring: never SEND_ZC (the default since 0.6.0; wins over SEND_ZC) */
    DX_REACTOR_CFG_NO_POLL_MULTI = 16,     /* io_uring: no multishot poll (DX_OP_POLL_EDGE re-submits one-shot polls, as before 5.13) */
    DX_REACTOR_CFG_SEND_ZC = 32            /* io_uring: SEND_ZC for sends of DX_REACTOR_ZC_MIN bytes or more (see IMPLEMENTATION) */
};
enum { /* dx_reactor_features() */
    DX_REACTOR_FEAT_SINGLE_ISSUER = 1,
    DX_REACTOR_FEAT_DEFER_TASKRUN = 2,
    DX_REACTOR_FEAT_COOP_TASKRUN = 4,
    DX_REACTOR_FEAT_REGISTERED_RING = 8,
    DX_REACTOR_FEAT_SQPOLL = 16,
    DX_REACTOR_FEAT_CANCEL_FD = 32, /* close cancels pending ops in the kernel */
    DX_REACTOR_FEAT_SEND_ZC = 64,   /* io_uring SEND_ZC (asked for with DX_REACTOR_CFG_SEND_ZC) for sends of DX_REACTOR_ZC_MIN bytes or more */
    DX_REACTOR_FEAT_POLL_MULTI = 128 /* io_uring multishot poll (5.13): one POLL_ADD serves every completion of a DX_OP_POLL_EDGE poll */
};
#define DX_OP_OFFSET_CURRENT UINT64_MAX /* dx_op_read/write offset: the file position, not an offset */

typedef struct dx_reactor dx_reactor;
typedef struct dx_op dx_op;
typedef struct dx_reactor_bufring dx_reactor_bufring;
struct dxi_reactor_vtable; /* private: a backend's table of functions (defined by the implementation) */
typedef dx_reactor_action (*dx_reactor_cb)(dx_reactor *r, dx_op *op, int64_t res, void *user);

/* Same layout as struct iovec on POSIX. */
typedef struct dx_reactor_iovec {
    void *base;
    size_t len;
} dx_reactor_iovec;

/* A socket address (sockaddr_in or sockaddr_in6 bytes) and its length. */
typedef struct dx_reactor_addr {
    uint64_t storage[4];
    uint32_t len;
} dx_reactor_addr;

/* An op's private scratch: one member per use, only the one of its kind is
   live. The timers' pairing heap (the loop's, every backend), a multishot
   recv's ring and held buffer, io_uring's msghdr for a sendv and a send_zc's
   result while its notification is pending. 56 bytes on every ABI. */
typedef union dx_op_priv {
    uint64_t words[7];
    struct {
        dx_op *child;      /* first child in the heap (op->next: next sibling; op->prev: left sibling or parent) */
        uint64_t seq;      /* submit order: breaks ties between equal deadlines */
        uint64_t deadline; /* dx_reactor_now() ns */
    } timer;
    struct {
        dx_reactor_bufring *ring;
        uint32_t held;     /* the buffer the callback holds: its id + 1, or 0 */
    } multi;
    uint64_t msghdr[7];    /* io_uring sendv: a struct msghdr */
    struct {
        int64_t res;       /* io_uring send_zc: the send's result, reported with the notification */
    } zc;
} dx_op_priv;

struct dx_op {
    dx_op *next, *prev;  /* intrusive links, the loop's while not IDLE */
    dx_reactor_cb cb;
    void *user;
    uint8_t kind;        /* dx_op_kind */
    uint8_t state;       /* dx_op_state */
    uint8_t where;       /* private: which list holds the op */
    uint8_t iflags;      /* private */
    int32_t os_error;    /* raw errno of a failure, 0 if none */
    uintptr_t fd;
    void *buf;           /* data, iovec array, or address */
    size_t len;          /* bytes, or iovec count */
    uint64_t offset;     /* file offset; timer: ns */
    dx_op *target;       /* cancel */
    int64_t res;         /* the last result */
    uint32_t addr_len;   /* accept: capacity, then the peer address length */
    uint32_t flags;      /* dx_op_flag bits; poll: the DX_OP_POLL_* events asked for (DX_OP_POLL_EDGE too) */
    dx_op_priv priv;     /* private */
    dx_op *canceler;     /* private: io_uring: a cancel op that completes right after this op */
};

typedef struct dx_reactor_stats {
    uint64_t enters;    /* system calls that submitted or waited (io_uring_enter, epoll_wait, kevent, poll, GetQueuedCompletionStatusEx) */
    uint64_t started;   /* ops started */
    uint64_t completed; /* callbacks run */
    uint64_t active;    /* ops not IDLE now */
    uint64_t rearms;    /* io_uring multishots (recv, accept, EDGE poll) armed again (out of buffers, or ended by the kernel) */
    uint64_t zc_sends;  /* io_uring sends made with SEND_ZC (>= DX_REACTOR_ZC_MIN bytes) */
} dx_reactor_stats;

/* Buffers for dx_op_recv_multi: count buffers of size bytes, in the memory
   given to init (or taken by create); on io_uring also a provided-buffer ring
   (IORING_REGISTER_PBUF_RING) that init maps. */
typedef struct dx_reactor_bufring_config {
    uint32_t count;          /* buffers: a power of two, 1 .. 32768 */
    uint32_t size;           /* bytes per buffer */
    uint16_t group;          /* io_uring buffer group id: unique per loop */
    dx_allocator allocator;  /* dx_reactor_bufring_create */
} dx_reactor_bufring_config;

struct dx_reactor_bufring {
    uint8_t *mem;       /* the buffers: count * size bytes at the start of the memory */
    uint32_t count, size;
    uint16_t group;
    uint16_t tail;      /* private: io_uring ring tail */
    void *ring;         /* private: io_uring ring (mmap) */
    size_t ring_size;
    uint16_t *free_ids; /* private: readiness backends' free list (in the memory, after the buffers) */
    uint32_t nfree;
    bool owns_memory;   /* private: made by create */
    size_t memory_size;
    dx_allocator allocator;
    const struct dxi_reactor_vtable *vt; /* private: the backend that made it (io_uring: unmaps the ring) */
};

/* A custom backend (firmware with its own network stack): the same table the
   built-in backends fill (see BACKENDS); the core keeps timers, queues and callbacks. */
typedef struct dx_reactor_custom {
    dx_result (*init)(dx_reactor *r, void *user);                     /* optional */
    void (*deinit)(dx_reactor *r, void *user);                        /* optional */
    void (*start)(dx_reactor *r, dx_op *op, void *user);              /* required */
    dx_result (*cancel)(dx_reactor *r, dx_op *target, void *user);    /* required */
    dx_result (*wait)(dx_reactor *r, int64_t timeout_ns, void *user); /* required */
    dx_result (*wake)(dx_reactor *r, void *user);                     /* optional: any thread */
    void *user;
    uint64_t (*now)(dx_reactor *r, void *user); /* optional: monotonic ns; NULL: the OS clock (required without one) */
} dx_reactor_custom;

typedef struct dx_reactor_config {
    dx_reactor_backend_id backends[DX_REACTOR_MAX_BACKENDS]; /* priority list; empty: default order */
    uint32_t backend_count;
    uint32_t max_fds;      /* fd table; 0: RLIMIT_NOFILE (at most 2^20) */
    uint32_t ring_entries; /* io_uring SQ size; 0: DX_REACTOR_DEFAULT_ENTRIES */
    uint32_t flags;        /* DX_REACTOR_CFG_* */
    dx_allocator allocator; /* dx_reactor_create */
    const dx_reactor_custom *custom;
} dx_reactor_config;

/* io_uring state (pointers into the mmapped rings). */
typedef struct dx_reactor_uring {
    void *sq_ring, *cq_ring, *sqes, *cqes;
    size_t sq_ring_size, cq_ring_size, sqes_size;
    uint32_t *sq_head, *sq_tail, *sq_array, *sq_flags, *cq_head, *cq_tail;
    uint32_t sq_mask, cq_mask, sq_entries, sq_local_tail;
    uint32_t enter_flags, setup_flags;
    int32_t ring_fd, enter_fd;
    bool wake_armed;
    uint64_t wake_buf;              /* the wake fd's read lands here */
} dx_reactor_uring;

/* The running backend's state (private): only its member is live. */
typedef union dx_reactor_backend_state {
    dx_reactor_uring uring;
    struct {
        int32_t fd;                 /* the epoll fd */
    } epoll;
    struct {
        void *pfds;                 /* pollfd array: max_fds + 1 (the wake fd) */
        int32_t *list;              /* fds with waiters */
        uint32_t count;
    } poll;
    struct {
        const dx_reactor_custom *vt; /* cfg.custom */
    } custom;
    struct {
        int32_t fd;                 /* the kqueue */
        uint32_t nchanges;          /* changes waiting for the next kevent() */
        void *changes;              /* struct kevent array in the init memory, after the fd table */
    } kqueue;
    struct {                         /* IOCP (Windows) */
        void *port;                  /* the completion port HANDLE */
        void (*accept_ex)(void), (*connect_ex)(void), (*get_addrs)(void); /* the provider's extension functions */
        void *accepts;               /* the accepts' address buffers (in the loop's memory) */
        void *noskip;                /* the last handle that refused FILE_SKIP_COMPLETION_PORT_ON_SUCCESS */
        dx_op *head, *tail;          /* ops in the kernel */
        dx_op *closing_head, *closing_tail; /* closes waiting for the ops on their handle */
        uint64_t qpc_freq;           /* QueryPerformanceFrequency */
        bool skip_sockets;           /* sockets' provider hands out IFS handles: skip packets on success */
        bool wsa;                    /* WSAStartup succeeded */
    } iocp;
} dx_reactor_backend_state;

struct dx_reactor {
    dx_reactor_backend_id backend;
    uint32_t features;
    bool stop;
    uint8_t waits_skipped;          /* private: turns in a row that took no events from the backend (their own completions were enough) */
    bool owns_memory;               /* made by create */
    bool memory_zeroed;             /* create's calloc: the fd table is empty already */
    uint32_t max_fds;
    dx_allocator allocator;         /* create's, for destroy */
    void *memory;                   /* the fd table (and poll's arrays) live here */
    size_t memory_size;
    const struct dxi_reactor_vtable *vt; /* private: the backend's functions; the core calls nothing else */
    dx_op *sq_head, *sq_tail;       /* submitted, not started */
    dx_op *cq_head, *cq_tail;       /* finished, callback pending */
    dx_op *timer_head, *timer_tail; /* timer_head: root of a pairing heap by deadline; timer_tail unused */
    uint64_t timer_seq;             /* submit order, to break ties between equal deadlines */
    dx_op *wake_head, *wake_tail;   /* wake-wait ops */
    uint64_t now_ns;
    dx_reactor_stats stats;
    int32_t wake_rfd, wake_wfd;     /* POSIX backends: eventfd (both) or pipe */
    void *slots;                    /* POSIX backends: the fd table */
    dx_reactor_backend_state be;    /* the running backend's own state */
};

DX_REACTOR_API size_t dx_reactor_memory_size(const dx_reactor_config *cfg);
DX_REACTOR_API dx_result dx_reactor_init(dx_reactor *r, const dx_reactor_config *cfg, void *mem, size_t mem_size);
DX_REACTOR_API dx_result dx_reactor_create(dx_reactor *r, const dx_reactor_config *cfg);
DX_REACTOR_API void dx_reactor_deinit(dx_reactor *r);
DX_REACTOR_API void dx_reactor_destroy(dx_reactor *r);
DX_REACTOR_API dx_result dx_reactor_submit(dx_reactor *r, dx_op *op, dx_reactor_cb cb, void *user);
DX_REACTOR_API dx_result dx_reactor_run(dx_reactor *r, dx_reactor_run_mode mode);
DX_REACTOR_API void dx_reactor_stop(dx_reactor *r);
DX_REACTOR_API dx_result dx_reactor_wake(dx_reactor *r);
DX_REACTOR_API uint64_t dx_reactor_now(const dx_reactor *r);
DX_REACTOR_API dx_reactor_backend_id dx_reactor_backend(const dx_reactor *r);
DX_REACTOR_API const char *dx_reactor_backend_name(const dx_reactor *r);
DX_REACTOR_API const char *dx_reactor_backend_id_name(dx_reactor_backend_id id);
DX_REACTOR_API uint32_t dx_reactor_features(const dx_reactor *r);
DX_REACTOR_API void dx_reactor_read_stats(const dx_reactor *r, dx_reactor_stats *out);
DX_REACTOR_API const char *dx_reactor_result_name(dx_result r);
DX_REACTOR_API dx_result dx_reactor_from_errno(int e);

DX_REACTOR_API void dx_op_accept(dx_op *op, uintptr_t listen_fd, void *addr_out, uint32_t addr_cap);
DX_REACTOR_API void dx_op_connect(dx_op *op, uintptr_t fd, const dx_reactor_addr *addr);
DX_REACTOR_API void dx_op_recv(dx_op *op, uintptr_t fd, void *buf, size_t len);
DX_REACTOR_API void dx_op_send(dx_op *op, uintptr_t fd, const void *buf, size_t len);
DX_REACTOR_API void dx_op_recvv(dx_op *op, uintptr_t fd, const dx_reactor_iovec *iov, uint32_t count);
DX_REACTOR_API void dx_op_sendv(dx_op *op, uintptr_t fd, const dx_reactor_iovec *iov, uint32_t count);
DX_REACTOR_API void dx_op_read(dx_op *op, uintptr_t fd, void *buf, size_t len, uint64_t offset);
DX_REACTOR_API void dx_op_write(dx_op *op, uintptr_t fd, const void *buf, size_t len, uint64_t offset);
DX_REACTOR_API void dx_op_timer(dx_op *op, uint64_t ns, uint32_t flags);
DX_REACTOR_API void dx_op_cancel(dx_op *op, dx_op *target);
DX_REACTOR_API void dx_op_close(dx_op *op, uintptr_t fd);
DX_REACTOR_API void dx_op_wake_wait(dx_op *op);
DX_REACTOR_API void dx_op_recv_multi(dx_op *op, uintptr_t fd, dx_reactor_bufring *br);
DX_REACTOR_API void dx_op_poll(dx_op *op, uintptr_t fd, uint32_t events);
DX_REACTOR_API size_t dx_reactor_bufring_memory_size(const dx_reactor_bufring_config *cfg);
DX_REACTOR_API dx_result dx_reactor_bufring_init(dx_reactor *r, dx_reactor_bufring *br, const dx_reactor_bufring_config *cfg, void *mem,
                                                 size_t mem_size);
DX_REACTOR_API dx_result dx_reactor_bufring_create(dx_reactor *r, dx_reactor_bufring *br, const dx_reactor_bufring_config *cfg);
DX_REACTOR_API void dx_reactor_bufring_deinit(dx_reactor *r, dx_reactor_bufring *br);
DX_REACTOR_API void dx_reactor_bufring_destroy(dx_reactor *r, dx_reactor_bufring *br);

DX_REACTOR_API dx_result dx_reactor_addr_make(dx_reactor_addr *out, const char *ip, uint16_t port);
DX_REACTOR_API int64_t dx_reactor_tcp_socket(bool ipv6);
DX_REACTOR_API int64_t dx_reactor_tcp_listen(const dx_reactor_addr *addr, int backlog, uint32_t flags);
DX_REACTOR_API int64_t dx_reactor_tcp_local_port(uintptr_t fd);
DX_REACTOR_API int64_t dx_reactor_unix_listen(const char *path, int backlog);
DX_REACTOR_API int64_t dx_reactor_unix_connect(const char *path);
DX_REACTOR_API dx_result dx_reactor_fd_close(dx_reactor *r, uintptr_t fd);

/* ---- thread-per-core workers ---- */
typedef struct dx_reactor_worker dx_reactor_worker;
typedef struct dx_reactor_workers dx_reactor_workers;
typedef void (*dx_reactor_worker_fn)(dx_reactor_worker *w, void *user);

typedef struct dx_reactor_workers_config {
    uint32_t count;                /* 0: one per online CPU */
    bool pin;                      /* worker i runs on CPU i % CPUs */
    const dx_reactor_addr *listen; /* non-NULL: every worker gets its own SO_REUSEPORT listener on it */
    int backlog;                   /* 0: SOMAXCONN */
    dx_reactor_config reactor;     /* each worker's loop (dx_reactor_create: its allocator) */
    dx_reactor_worker_fn on_start; /* worker thread, loop and listener ready: submit the first ops */
    dx_reactor_worker_fn on_stop;  /* worker thread, after stop closed its listener: end idle work */
    void *user;
} dx_reactor_workers_config;

struct dx_reactor_worker {
    dx_reactor loop;           /* this worker's loop: use it only from its thread */
    int64_t listen_fd;         /* this worker's listener, or -1 */
    uint32_t index;
    int32_t cpu;               /* the CPU it is pinned to, or -1 */
    dx_result result;          /* why init or run failed, else DX_OK */
    dx_reactor_workers *group;
    dx_op stop_op, close_op;   /* private */
    uint32_t stop, ready;      /* private, atomic */
    uint32_t waking;           /* private, atomic: a stop is waking the loop (not to be destroyed meanwhile) */
    uint64_t thread[2];        /* private: pthread_t */
};

struct dx_reactor_workers {
    dx_reactor_worker *workers;
    uint32_t count;
    dx_reactor_workers_config cfg;
};

DX_REACTOR_API uint32_t dx_reactor_cpu_count(void);
DX_REACTOR_API dx_result dx_reactor_workers_start(dx_reactor_workers *g, const dx_reactor_workers_config *cfg,
                                                  dx_reactor_worker *workers, uint32_t capacity);
DX_REACTOR_API dx_result dx_reactor_workers_stop(dx_reactor_workers *g);
DX_REACTOR_API dx_reactor_worker *dx_reactor_workers_current(const dx_reactor_workers *g);

DX_REACTOR_API void dx_reactor_custom_complete(dx_reactor *r, dx_op *op, int64_t res, int32_t os_error);
DX_REACTOR_API void dx_reactor_custom_woken(dx_reactor *r);

#ifdef __cplusplus
}
#endif
#endif /* DX_REACTOR_H */

/* ===== STOP HERE if you only need the API. Below is the implementation. ===== */

#if defined(DX_REACTOR_IMPLEMENTATION) && !defined(DX_REACTOR_IMPLEMENTATION_DONE)
#define DX_REACTOR_IMPLEMENTATION_DONE

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

#ifndef DX_REACTOR_DEFAULT_ENTRIES
#define DX_REACTOR_DEFAULT_ENTRIES 256
#endif
#ifndef DX_REACTOR_ZC_MIN /* io_uring: sends of at least this many bytes use SEND_ZC (bytes). Below 64 KiB the */
#define DX_REACTOR_ZC_MIN 65536 /* notification costs more than the copy saves: 16 KiB echoes on loopback took */
#endif                          /* 34% more server CPU with SEND_ZC than without (bench/RESULTS.md, 2026-11-23) */

/* ---- which backends this file builds (miniaudio's MA_SUPPORT_* / MA_HAS_*) ----
   DXI_REACTOR_POSIX: an OS with POSIX sockets, poll(), threads and a monotonic
   clock; without one (firmware) only the custom backend is built, no OS
   header is included, and the socket helpers and workers say
   DX_ERR_UNSUPPORTED. DXI_REACTOR_HAS_<B>: backend B is supported here and
   not left out with DX_REACTOR_NO_<B>. */
#if defined(DX_REACTOR_NO_IO_URING) && !defined(DX_REACTOR_NO_IOURING) /* the spelling of issue 14 */
#define DX_REACTOR_NO_IOURING
#endif
#if !defined(_WIN32) && (defined(__unix__) || defined(__unix) || defined(__APPLE__) || defined(__linux__) || defined(__HAIKU__) || \
                         defined(__QNX__) || defined(_AIX))
#define DXI_REACTOR_POSIX 1
#else
#define DXI_REACTOR_POSIX 0
#endif
#if DXI_REACTOR_POSIX && defined(__linux__)
#define DXI_REACTOR_LINUX 1
#else
#define DXI_REACTOR_LINUX 0
#endif
#if DXI_REACTOR_LINUX && (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__) && !defined(DX_REACTOR_NO_IOURING)
#define DXI_REACTOR_HAS_IOURING 1 /* raw io_uring needs Linux and the __atomic builtins */
#endif
#if DXI_REACTOR_LINUX && !defined(DX_REACTOR_NO_EPOLL)
#define DXI_REACTOR_HAS_EPOLL 1
#endif
#if DXI_REACTOR_POSIX && !defined(DX_REACTOR_NO_POLL)
#define DXI_REACTOR_HAS_POLL 1
#endif
/* kqueue: where <sys/event.h> is the kernel's (the BSDs, macOS); on Linux only
   when the build asks for libkqueue's emulation (DX_REACTOR_KQUEUE_LIBKQUEUE). */
#if DXI_REACTOR_POSIX && !defined(DX_REACTOR_NO_KQUEUE) &&                                                              \
    (defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__) || defined(__DragonFly__) || \
     (DXI_REACTOR_LINUX && defined(DX_REACTOR_KQUEUE_LIBKQUEUE)))
#define DXI_REACTOR_HAS_KQUEUE 1
#endif
#if defined(_WIN32)
#define DXI_REACTOR_WINDOWS 1 /* Winsock, the Windows clock and threads: the socket helpers and workers use them */
#if !defined(DX_REACTOR_NO_IOCP)
#define DXI_REACTOR_HAS_IOCP 1
#endif
#else
#define DXI_REACTOR_WINDOWS 0
#endif
#if defined(DXI_REACTOR_HAS_EPOLL) || defined(DXI_REACTOR_HAS_POLL) || defined(DXI_REACTOR_HAS_KQUEUE)
#define DXI_REACTOR_HAS_READINESS 1 /* the readiness code epoll, kqueue and poll share */
#endif
#if defined(DXI_REACTOR_HAS_IOURING) || defined(DXI_REACTOR_HAS_READINESS)
#define DXI_REACTOR_HAS_FDTABLE 1 /* the fd table and wake fds every POSIX backend uses */
#endif

#if DXI_REACTOR_POSIX
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#if DXI_REACTOR_LINUX
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#endif
#if defined(DXI_REACTOR_HAS_EPOLL)
#include <sys/epoll.h>
#endif
#if defined(DXI_REACTOR_HAS_KQUEUE)
#include <sys/types.h> /* before <sys/event.h>: older BSDs need both */
#include <sys/time.h>
#include <sys/event.h>
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS 0x20
#endif
#if defined(__GLIBC__) /* msghdr.msg_iovlen: size_t in glibc, int in musl and the BSDs */
#define DXI_REACTOR_IOVLEN(n) (n)
#else
#define DXI_REACTOR_IOVLEN(n) (int)(n)
#endif
/* A system header came first in strict ISO mode (glibc without _DEFAULT_SOURCE):
   reach what is hidden through syscall(), declared here. */
#if defined(__GLIBC__) && !defined(__USE_MISC) && !defined(__cplusplus)
#define DXI_REACTOR_STRICT 1
extern long syscall(long number, ...);
#endif
#endif

#if DXI_REACTOR_WINDOWS
#include <errno.h>
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#if defined(_MSC_VER)
#pragma comment(lib, "ws2_32.lib")
#endif
#endif

/* ---- lists: every list is doubly linked through op->next/prev ---- */

enum { DXI_REACTOR_W_NONE = 0, DXI_REACTOR_W_SUBMIT, DXI_REACTOR_W_DONE, DXI_REACTOR_W_RD, DXI_REACTOR_W_WR,
       DXI_REACTOR_W_TIMER, DXI_REACTOR_W_WAKE, DXI_REACTOR_W_KERNEL, DXI_REACTOR_W_CUSTOM, DXI_REACTOR_W_POLL };
/* op->iflags. ARMED: a multishot the backend keeps between callbacks (io_uring: in the kernel; epoll,
   kqueue: an EDGE poll in the fd table); ENDED: io_uring ended a multishot (a REARM arms it again, which
   stats.rearms counts). */
enum { DXI_REACTOR_IF_CONNECTING = 1, DXI_REACTOR_IF_NOTSOCK = 2, DXI_REACTOR_IF_POLLING = 4, DXI_REACTOR_IF_ARMED = 8, DXI_REACTOR_IF_ZC = 16,
       DXI_REACTOR_IF_ENDED = 32 };

DX_INLINE void dxi_reactor_push(dx_op **head, dx_op **tail, dx_op *op) {
    op->next = NULL;
    op->prev = *tail;
    if (*tail) (*tail)->next = op;
    else *head = op;
    *tail = op;
}
DX_INLINE void dxi_reactor_unlink(dx_op **head, dx_op **tail, dx_op *op) {
    if (op->prev) op->prev->next = op->next;
    else *head = op->next;
    if (op->next) op->next->prev = op->prev;
    else *tail = op->prev;
    op->next = op->prev = NULL;
}

DXI_PRIVATE dx_result dxi_reactor_map(int e) {
#if DXI_REACTOR_POSIX || DXI_REACTOR_WINDOWS /* Windows: the C runtime's errno values (IOCP maps its own errors) */
    switch (e) {
    case 0: return DX_OK;
    case ECONNREFUSED: return DX_REACTOR_ERR_REFUSED;
    case ECONNRESET: case ECONNABORTED: return DX_REACTOR_ERR_RESET;
    case EADDRINUSE: case EADDRNOTAVAIL: return DX_REACTOR_ERR_ADDRINUSE;
    case ENETUNREACH: case EHOSTUNREACH: case ENETDOWN: return DX_REACTOR_ERR_UNREACHABLE;
    case EPERM: case EACCES: return DX_REACTOR_ERR_DENIED;
    case EBADF: case ENOTSOCK: return DX_REACTOR_ERR_BADF;
    case EPIPE: return DX_ERR_CLOSED;
    case ECANCELED: return DX_ERR_CANCELED;
    case ETIMEDOUT: return DX_ERR_TIMEOUT;
#if defined(ETIME)
    case ETIME: return DX_ERR_TIMEOUT;
#endif
    case ENOENT: return DX_ERR_NOTFOUND;
    case EAGAIN: return DX_ERR_AGAIN;
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK: return DX_ERR_AGAIN;
#endif
    case EALREADY: case EBUSY: return DX_ERR_BUSY;
    case ENOMEM: case ENOBUFS: return DX_ERR_NOMEM;
    case EMFILE: case ENFILE: return DX_ERR_LIMIT;
    case EINVAL: case EFAULT: return DX_ERR_INVAL;
    case ENOSYS: case EOPNOTSUPP: return DX_ERR_UNSUPPORTED;
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
    case ENOTSUP: return DX_ERR_UNSUPPORTED;
#endif
    case EIO: return DX_ERR_IO;
    default: return DX_ERR_OS;
    }
#else
    return e == 0 ? DX_OK : DX_ERR_OS;
#endif
}

DX_REACTOR_API dx_result dx_reactor_from_errno(int e) { return dxi_reactor_map(e); }

DX_REACTOR_API const char *dx_reactor_result_name(dx_result r) {
#if defined(DX_NO_ERROR_STRINGS)
    (void)r;
    return "";
#else
    switch (r) {
    case DX_REACTOR_ERR_REFUSED: return "DX_REACTOR_ERR_REFUSED";
    case DX_REACTOR_ERR_RESET: return "DX_REACTOR_ERR_RESET";
    case DX_REACTOR_ERR_ADDRINUSE: return "DX_REACTOR_ERR_ADDRINUSE";
    case DX_REACTOR_ERR_UNREACHABLE: return "DX_REACTOR_ERR_UNREACHABLE";
    case DX_REACTOR_ERR_DENIED: return "DX_REACTOR_ERR_DENIED";
    case DX_REACTOR_ERR_BADF: return "DX_REACTOR_ERR_BADF";
    default: return dx_result_name(r);
    }
#endif
}

DX_REACTOR_API const char *dx_reactor_backend_id_name(dx_reactor_backend_id id) {
    switch (id) {
    case DX_REACTOR_BACKEND_IOURING: return "io_uring";
    case DX_REACTOR_BACKEND_EPOLL: return "epoll";
    case DX_REACTOR_BACKEND_POLL: return "poll";
    case DX_REACTOR_BACKEND_KQUEUE: return "kqueue";
    case DX_REACTOR_BACKEND_IOCP: return "iocp";
    case DX_REACTOR_BACKEND_CUSTOM: return "custom";
    default: return "none";
    }
}
DX_REACTOR_API const char *dx_reactor_backend_name(const dx_reactor *r) { return dx_reactor_backend_id_name(r->backend); }
DX_REACTOR_API dx_reactor_backend_id dx_reactor_backend(const dx_reactor *r) { return r->backend; }
DX_REACTOR_API uint32_t dx_reactor_features(const dx_reactor *r) { return r->features; }
DX_REACTOR_API uint64_t dx_reactor_now(const dx_reactor *r) { return r->now_ns; }
DX_REACTOR_API void dx_reactor_stop(dx_reactor *r) { r->stop = true; }
DX_REACTOR_API void dx_reactor_read_stats(const dx_reactor *r, dx_reactor_stats *out) { *out = r->stats; }

/* ---- operations: fill fields only ---- */

/* Filling makes the op IDLE: fill only a new op or an IDLE one, never one in flight. */
DX_INLINE void dxi_reactor_fill(dx_op *op, uint8_t kind, uintptr_t fd, void *buf, size_t len) {
    op->next = op->prev = NULL;
    op->state = DX_OP_STATE_IDLE;
    op->where = 0;
    op->kind = kind;
    op->fd = fd;
    op->buf = buf;
    op->len = len;
    op->offset = 0;
    op->target = NULL;
    op->addr_len = 0;
    op->flags = 0;
    op->os_error = 0;
    op->res = 0;
    op->iflags = 0;
}
DX_REACTOR_API void dx_op_accept(dx_op *op, uintptr_t listen_fd, void *addr_out, uint32_t addr_cap) {
    dxi_reactor_fill(op, DX_OP_KIND_ACCEPT, listen_fd, addr_out, addr_cap);
    op->addr_len = addr_out ? addr_cap : 0;
}
DX_REACTOR_API void dx_op_connect(dx_op *op, uintptr_t fd, const dx_reactor_addr *addr) {
    dxi_reactor_fill(op, DX_OP_KIND_CONNECT, fd, (void *)(uintptr_t)addr->storage, addr->len);
}
DX_REACTOR_API void dx_op_recv(dx_op *op, uintptr_t fd, void *buf, size_t len) { dxi_reactor_fill(op, DX_OP_KIND_RECV, fd, buf, len); }
DX_REACTOR_API void dx_op_send(dx_op *op, uintptr_t fd, const void *buf, size_t len) {
    dxi_reactor_fill(op, DX_OP_KIND_SEND, fd, (void *)(uintptr_t)buf, len);
}
DX_REACTOR_API void dx_op_recvv(dx_op *op, uintptr_t fd, const dx_reactor_iovec *iov, uint32_t count) {
    dxi_reactor_fill(op, DX_OP_KIND_RECVV, fd, (void *)(uintptr_t)iov, count);
}
DX_REACTOR_API void dx_op_sendv(dx_op *op, uintptr_t fd, const dx_reactor_iovec *iov, uint32_t count) {
    dxi_reactor_fill(op, DX_OP_KIND_SENDV, fd, (void *)(uintptr_t)iov, count);
}
DX_REACTOR_API void dx_op_read(dx_op *op, uintptr_t fd, void *buf, size_t len, uint64_t offset) {
    dxi_reactor_fill(op, DX_OP_KIND_READ, fd, buf, len);
    op->offset = offset;
}
DX_REACTOR_API void dx_op_write(dx_op *op, uintptr_t fd, const void *buf, size_t len, uint64_t offset) {
    dxi_reactor_fill(op, DX_OP_KIND_WRITE, fd, (void *)(uintptr_t)buf, len);
    op->offset = offset;
}
DX_REACTOR_API void dx_op_timer(dx_op *op, uint64_t ns, uint32_t flags) {
    dxi_reactor_fill(op, DX_OP_KIND_TIMER, 0, NULL, 0);
    op->offset = ns;
    op->flags = flags;
}
DX_REACTOR_API void dx_op_cancel(dx_op *op, dx_op *target) {
    dxi_reactor_fill(op, DX_OP_KIND_CANCEL, 0, NULL, 0);
    op->target = target;
}
DX_REACTOR_API void dx_op_close(dx_op *op, uintptr_t fd) { dxi_reactor_fill(op, DX_OP_KIND_CLOSE, fd, NULL, 0); }
DX_REACTOR_API void dx_op_wake_wait(dx_op *op) { dxi_reactor_fill(op, DX_OP_KIND_WAKE_WAIT, 0, NULL, 0); }
DX_REACTOR_API void dx_op_recv_multi(dx_op *op, uintptr_t fd, dx_reactor_bufring *br) {
    dxi_reactor_fill(op, DX_OP_KIND_RECV_MULTI, fd, NULL, 0);
    op->priv.multi.ring = br;
    op->priv.multi.held = 0;
}
DX_REACTOR_API void dx_op_poll(dx_op *op, uintptr_t fd, uint32_t events) {
    dxi_reactor_fill(op, DX_OP_KIND_POLL, fd, NULL, 0);
    op->flags = events & (uint32_t)(DX_OP_POLL_IN | DX_OP_POLL_OUT | DX_OP_POLL_ERR | DX_OP_POLL_HUP | DX_OP_POLL_EDGE);
}

/* ---- the backend table ----
   Every backend is one of these, filled in its own section below: io_uring,
   epoll, kqueue, poll, the user's custom one (and later IOCP). The core (the
   queues, timers, the loop, init) calls a backend only through r->vt, so it
   never asks which backend runs (miniaudio's ma_backend_callbacks). Entries
   marked "or NULL" are for backends that need them. */
typedef struct dxi_reactor_slot dxi_reactor_slot;
typedef struct dxi_reactor_vtable {
    dx_reactor_backend_id id;
    uint32_t flags; /* DXI_REACTOR_VT_* */
    /* bytes of init memory for max_fds fds (its fd table); 0: it needs none */
    uint64_t (*memory_size)(uint32_t max_fds);
    /* takes its OS resources (r->memory, r->max_fds are set, r->be is zero):
       DX_OK, or a reason to try the next backend; deinit undoes a whole or a
       partial init and may run twice */
    dx_result (*init)(dx_reactor *r, const dx_reactor_config *cfg);
    void (*deinit)(dx_reactor *r);
    /* starts an I/O op (timers, wake-waits and cancels of queued ops are the
       core's) and completes it through dxi_reactor_done, now or later */
    void (*start)(dx_reactor *r, dx_op *op);
    /* cancel op's target, which sits in one of this backend's places
       (target->where): target completes with DX_ERR_CANCELED first, then op
       with 0; or op with DX_ERR_NOTFOUND */
    void (*cancel)(dx_reactor *r, dx_op *op, dx_op *target);
    /* waits up to timeout_ns (-1: no limit, 0: do not block) for completions
       and wakes; stats.enters counts its system calls */
    dx_result (*wait)(dx_reactor *r, int64_t timeout_ns);
    /* any thread: makes wait return and complete the wake-wait ops */
    dx_result (*wake)(dx_reactor *r);
    /* or NULL: the loop's clock (monotonic ns); NULL: the OS clock */
    uint64_t (*now)(dx_reactor *r);
    /* or NULL: forget fd before dx_reactor_fd_close closes it (its ops complete with DX_ERR_CANCELED) */
    void (*fd_forget)(dx_reactor *r, uintptr_t fd);
    /* or NULL: the core has callbacks to run and will not wait; true: enter
       all the same (submissions are queued), else it may collect completions
       that need no system call */
    bool (*peek)(dx_reactor *r);
    /* or NULL: after the callback of a multishot op it armed (DXI_REACTOR_IF_ARMED):
       REARM with the op IDLE keeps it armed, anything else stops it */
    void (*multi_after)(dx_reactor *r, dx_op *op, uintptr_t fd, dx_reactor_action act);
    /* or NULL: a buffer ring for dx_op_recv_multi, made and torn down (r may
       be NULL or deinitialised then), and one buffer given back; NULL: the
       core's free list */
    dx_result (*bufring_init)(dx_reactor *r, dx_reactor_bufring *br);
    void (*bufring_deinit)(dx_reactor *r, dx_reactor_bufring *br);
    void (*buf_put)(dx_reactor_bufring *br, uint32_t id);
    /* or NULL, readiness backends: the ops waiting on fd changed (epoll: add
       it once; poll: track it); 0 or an errno */
    int (*watch)(dx_reactor *r, int fd, dxi_reactor_slot *s);
} dxi_reactor_vtable;
enum {
    DXI_REACTOR_VT_MULTISHOT = 1, /* multishots live in the kernel: submitting one again counts in stats.rearms */
    DXI_REACTOR_VT_EDGES = 2      /* readiness events are edges: DX_OP_POLL_EDGE polls are served from them (epoll, kqueue) */
};

/* ---- the core: queues, timers, completion; backend-agnostic ---- */

DXI_PRIVATE uint64_t dxi_reactor_os_clock(void) { /* monotonic ns, 0 without an OS */
#if defined(DXI_REACTOR_STRICT) && !defined(__USE_POSIX199309)
    struct { long tv_sec, tv_nsec; } ts; /* the kernel's timespec on LP64 and ILP32 with 32-bit time */
    syscall(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#elif DXI_REACTOR_POSIX
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#elif DXI_REACTOR_WINDOWS
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    return (uint64_t)c.QuadPart / (uint64_t)f.QuadPart * 1000000000u + (uint64_t)c.QuadPart % (uint64_t)f.QuadPart * 1000000000u / (uint64_t)f.QuadPart;
#else
    return 0;
#endif
}
DX_INLINE uint64_t dxi_reactor_clock(dx_reactor *r) { return r->vt->now ? r->vt->now(r) : dxi_reactor_os_clock(); }

/* op finished: its callback runs in this turn's callback phase. */
DXI_PRIVATE void dxi_reactor_done(dx_reactor *r, dx_op *op, int64_t res, int32_t os_error) {
    op->res = res;
    op->os_error = os_error;
    op->where = DXI_REACTOR_W_DONE;
    dxi_reactor_push(&r->cq_head, &r->cq_tail, op);
}

DXI_PRIVATE void dxi_reactor_done_errno(dx_reactor *r, dx_op *op, int e) {
    dxi_reactor_done(r, op, dxi_reactor_map(e), (int32_t)e);
}

/* Timers: an intrusive pairing heap (O(1) insert, O(log n) amortized
   removal). A node's first child is priv.timer.child, its next sibling
   op->next, and op->prev its left sibling or, for a first child, its parent;
   priv.timer.seq (the submit order) breaks ties between equal deadlines. */
DX_INLINE dx_op *dxi_reactor_child(const dx_op *op) { return op->priv.timer.child; }
DX_INLINE void dxi_reactor_set_child(dx_op *op, dx_op *c) { op->priv.timer.child = c; }
DX_INLINE int dxi_reactor_timer_less(const dx_op *a, const dx_op *b) {
    const uint64_t da = a->priv.timer.deadline, db = b->priv.timer.deadline;
    return da < db || (da == db && a->priv.timer.seq < b->priv.timer.seq);
}
DXI_PRIVATE dx_op *dxi_reactor_meld(dx_op *a, dx_op *b) { /* two roots (no prev, no next) */
    dx_op *t;
    if (!a) return b;
    if (!b) return a;
    if (dxi_reactor_timer_less(b, a)) {
        t = a;
        a = b;
        b = t;
    }
    b->prev = a;
    b->next = dxi_reactor_child(a);
    if (b->next) b->next->prev = b;
    dxi_reactor_set_child(a, b);
    return a;
}
DXI_PRIVATE dx_op *dxi_reactor_merge_pairs(dx_op *first) {
    dx_op *pairs = NULL, *root = NULL;
    while (first) { /* left to right: meld neighbours, stack the results */
        dx_op *a = first, *b = a->next, *m;
        first = b ? b->next : NULL;
        a->prev = a->next = NULL;
        if (b) b->prev = b->next = NULL;
        m = dxi_reactor_meld(a, b);
        m->next = pairs;
        pairs = m;
    }
    while (pairs) { /* right to left: meld into one */
        dx_op *n = pairs->next;
        pairs->next = NULL;
        root = dxi_reactor_meld(pairs, root);
        pairs = n;
    }
    return root;
}
DXI_PRIVATE void dxi_reactor_timer_insert(dx_reactor *r, dx_op *op) {
    op->where = DXI_REACTOR_W_TIMER;
    op->next = op->prev = NULL;
    dxi_reactor_set_child(op, NULL);
    op->priv.timer.seq = r->timer_seq++;
    r->timer_head = dxi_reactor_meld(r->timer_head, op);
}
DXI_PRIVATE void dxi_reactor_timer_remove(dx_reactor *r, dx_op *op) {
    dx_op *sub = dxi_reactor_merge_pairs(dxi_reactor_child(op));
    dxi_reactor_set_child(op, NULL);
    if (op == r->timer_head) {
        r->timer_head = sub;
    } else {
        if (dxi_reactor_child(op->prev) == op) dxi_reactor_set_child(op->prev, op->next); /* a first child */
        else op->prev->next = op->next;
        if (op->next) op->next->prev = op->prev;
        r->timer_head = dxi_reactor_meld(r->timer_head, sub);
    }
    op->next = op->prev = NULL;
}

DXI_PRIVATE void dxi_reactor_expire(dx_reactor *r) {
    while (r->timer_head && r->timer_head->priv.timer.deadline <= r->now_ns) {
        dx_op *op = r->timer_head;
        dxi_reactor_timer_remove(r, op);
        dxi_reactor_done(r, op, 0, 0);
    }
}

/* ---- starting an op, canceling one ---- */

/* A cancel: the core takes its target out of its own queues; a target the
   backend holds is the backend's to cancel. */
DXI_PRIVATE void dxi_reactor_cancel(dx_reactor *r, dx_op *op) {
    dx_op *t = op->target;
    if (!t || t == op || t->state == DX_OP_STATE_IDLE || t->where == DXI_REACTOR_W_DONE || t->where == DXI_REACTOR_W_NONE) {
        dxi_reactor_done(r, op, DX_ERR_NOTFOUND, 0);
        return;
    }
    switch (t->where) {
    case DXI_REACTOR_W_SUBMIT: dxi_reactor_unlink(&r->sq_head, &r->sq_tail, t); break;
    case DXI_REACTOR_W_TIMER: dxi_reactor_timer_remove(r, t); break;
    case DXI_REACTOR_W_WAKE: dxi_reactor_unlink(&r->wake_head, &r->wake_tail, t); break;
    default:
        r->vt->cancel(r, op, t);
        return;
    }
    dxi_reactor_done(r, t, DX_ERR_CANCELED, 0);
    dxi_reactor_done(r, op, 0, 0);
}

DXI_PRIVATE void dxi_reactor_start(dx_reactor *r, dx_op *op) {
    r->stats.started++;
    op->iflags = 0;
    switch (op->kind) {
    case DX_OP_KIND_TIMER: {
        uint64_t d;
        if (!(op->flags & DX_OP_FLAG_TIMER_ABS)) r->now_ns = dxi_reactor_clock(r); /* from now, not from the turn's start */
        d = (op->flags & DX_OP_FLAG_TIMER_ABS) ? op->offset : r->now_ns + op->offset;
        if (!(op->flags & DX_OP_FLAG_TIMER_ABS) && d < r->now_ns) d = UINT64_MAX; /* saturate */
        op->priv.timer.deadline = d;
        dxi_reactor_timer_insert(r, op);
        return;
    }
    case DX_OP_KIND_WAKE_WAIT:
        op->where = DXI_REACTOR_W_WAKE;
        dxi_reactor_push(&r->wake_head, &r->wake_tail, op);
        return;
    case DX_OP_KIND_CANCEL:
        dxi_reactor_cancel(r, op);
        return;
    default:
        r->vt->start(r, op);
        return;
    }
}

/* Gives a buffer back to its ring (io_uring) or to the free list (other backends). */
DX_INLINE void dxi_reactor_buf_put(dx_reactor *r, dx_reactor_bufring *br, uint32_t id) {
    if (r->vt->buf_put) r->vt->buf_put(br, id);
    else br->free_ids[br->nfree++] = (uint16_t)id;
}

/* ---- the loop ---- */

DX_REACTOR_API dx_result dx_reactor_submit(dx_reactor *r, dx_op *op, dx_reactor_cb cb, void *user) {
    if (!r || !op || !cb || op->kind == DX_OP_KIND_NONE || op->kind >= DX_OP_KIND_COUNT) return DX_ERR_INVAL;
    if (op->state != DX_OP_STATE_IDLE) return DX_ERR_MISUSE;
    op->cb = cb;
    op->user = user;
    op->iflags &= (uint8_t)~DXI_REACTOR_IF_ARMED; /* left over from a multishot the callback disarmed */
    op->state = DX_OP_STATE_QUEUED;
    op->where = DXI_REACTOR_W_SUBMIT;
    dxi_reactor_push(&r->sq_head, &r->sq_tail, op);
    r->stats.active++;
    return DX_OK;
}

/* Calls a multishot op's callback (recv with a buffer ring, an accept
   armed in the kernel, an EDGE poll). Afterwards its buffer goes back; REARM
   keeps the backend's multishot (io_uring, epoll, kqueue) or submits again;
   DISARM stops it. After a DISARM the op is the caller's (it may have been
   freed in the callback), so everything needed then is read before the call. */
DXI_PRIVATE void dxi_reactor_multi_call(dx_reactor *r, dx_op *op) {
    dx_reactor_bufring *br = op->kind == DX_OP_KIND_RECV_MULTI ? op->priv.multi.ring : NULL;
    uint32_t held = br ? op->priv.multi.held : 0; /* buffer index + 1, or 0 */
    uintptr_t fd = op->fd;
    int armed = (op->iflags & DXI_REACTOR_IF_ARMED) != 0; /* only a backend with multi_after arms ops */
    int ended = (op->iflags & DXI_REACTOR_IF_ENDED) != 0; /* the kernel ended it: a REARM arms it again */
    dx_reactor_action act;
    if (br) op->priv.multi.held = 0;
    act = op->cb(r, op, op->res, op->user);
    if (held) dxi_reactor_buf_put(r, br, (uint32_t)(held - 1));
    if (armed && r->vt->multi_after) {
        r->vt->multi_after(r, op, fd, act);
        return;
    }
    if (act == DX_REACTOR_REARM && op->state == DX_OP_STATE_IDLE) {
        if (ended && (r->vt->flags & DXI_REACTOR_VT_MULTISHOT)) r->stats.rearms++;
        dx_reactor_submit(r, op, op->cb, op->user);
    }
}

#define DXI_REACTOR_SKIPS 8 /* turns in a row that may skip the backend's wait (see dxi_reactor_turn) */

/* One turn; returns the callbacks run, or a dx_result < 0. */
DXI_PRIVATE int64_t dxi_reactor_turn(dx_reactor *r, int may_block) {
    dx_op *list;
    int64_t ran = 0, timeout;
    dx_result rc = DX_OK;
    if (r->timer_head) r->now_ns = dxi_reactor_clock(r); /* for the wait's bound; a new timer reads it itself */
    while (r->sq_head) {
        dx_op *op = r->sq_head;
        dxi_reactor_unlink(&r->sq_head, &r->sq_tail, op);
        op->state = DX_OP_STATE_ACTIVE;
        op->where = DXI_REACTOR_W_NONE;
        dxi_reactor_start(r, op);
    }
    dxi_reactor_expire(r);
    if (!may_block || r->cq_head) timeout = 0;
    else if (r->timer_head) {
        uint64_t d = r->timer_head->priv.timer.deadline;
        timeout = d > r->now_ns ? (int64_t)(d - r->now_ns) : 0;
    }
    else timeout = -1;
    if (timeout == -1 && r->stats.active == 0) timeout = 0; /* nothing could ever complete */
    {
        int need = timeout != 0 || !r->cq_head || !may_block;
        if (!need && r->vt->peek) need = r->vt->peek(r); /* io_uring: queued SQEs go in now, else reap without a system call */
        /* Completions in hand make the wait look needless, but ops that keep completing at once (IOCP's
           skip-on-success, an immediate recv of a socket that always has data) would then starve the
           backend's events for ever: a busy connection kept the listener's accepts waiting. So at most
           DXI_REACTOR_SKIPS turns in a row go without the backend: a bound on the wait for other
           events, at most one system call more per that many turns. */
        else if (!need && ++r->waits_skipped >= DXI_REACTOR_SKIPS) need = 1;
        if (need) {
            r->waits_skipped = 0;
            rc = r->vt->wait(r, timeout);
        }
    }
    if (rc < 0) return rc;
    r->now_ns = dxi_reactor_clock(r);
    dxi_reactor_expire(r);
    list = r->cq_head;
    r->cq_head = r->cq_tail = NULL;
    while (list) {
        dx_op *op = list;
        dx_reactor_action act;
        list = op->next;
        op->next = op->prev = NULL;
        op->where = DXI_REACTOR_W_NONE;
        op->state = DX_OP_STATE_IDLE;
        r->stats.active--;
        r->stats.completed++;
        ran++;
        if (op->kind == DX_OP_KIND_RECV_MULTI || (op->iflags & (DXI_REACTOR_IF_ARMED | DXI_REACTOR_IF_ENDED))) {
            dxi_reactor_multi_call(r, op);
            continue;
        }
        act = op->cb(r, op, op->res, op->user); /* after DISARM the op may be freed: not touched again */
        if (act == DX_REACTOR_REARM && op->state == DX_OP_STATE_IDLE) dx_reactor_submit(r, op, op->cb, op->user);
    }
    return ran;
}

DX_REACTOR_API dx_result dx_reactor_run(dx_reactor *r, dx_reactor_run_mode mode) {
    r->stop = false;
    for (;;) {
        int64_t ran;
        if (mode != DX_REACTOR_RUN_NOWAIT && r->stats.active == 0) return DX_OK;
        ran = dxi_reactor_turn(r, mode != DX_REACTOR_RUN_NOWAIT);
        if (ran < 0) return (dx_result)ran;
        if (mode == DX_REACTOR_RUN_NOWAIT || r->stop) return DX_OK;
        if (mode == DX_REACTOR_RUN_ONCE && ran > 0) return DX_OK;
    }
}

DX_REACTOR_API dx_result dx_reactor_wake(dx_reactor *r) { return r->vt ? r->vt->wake(r) : DX_ERR_MISUSE; }

/* Completes every wake-wait op (the backends call it when a wake arrived). */
DXI_PRIVATE void dxi_reactor_woken(dx_reactor *r) {
    while (r->wake_head) {
        dx_op *op = r->wake_head;
        dxi_reactor_unlink(&r->wake_head, &r->wake_tail, op);
        dxi_reactor_done(r, op, 0, 0);
    }
}

DX_REACTOR_API void dx_reactor_custom_complete(dx_reactor *r, dx_op *op, int64_t res, int32_t os_error) {
    dxi_reactor_done(r, op, res, os_error);
}
DX_REACTOR_API void dx_reactor_custom_woken(dx_reactor *r) { dxi_reactor_woken(r); }

/* ==== the backends: one section each, every one filling a dxi_reactor_vtable ==== */

/* ---- shared by the POSIX backends (io_uring, epoll, kqueue, poll): the fd table, the wake fd ---- */

#if defined(DXI_REACTOR_HAS_FDTABLE)
/* The fd table: ops waiting to read, to write (io_uring: the sends queued behind the one in flight). */
struct dxi_reactor_slot {
    dx_op *rd, *rd_tail, *wr, *wr_tail;
    uint32_t registered; /* epoll: added (edge-triggered, in and out); kqueue: DXI_KQUEUE_* bits; io_uring: a send is in flight */
    int32_t pidx;        /* poll: 1 + index in be.poll.list, 0 if none (an empty slot is all zero bytes) */
    dx_op *ms;           /* io_uring: the multishot recv on this fd (NULL once disarmed); readiness backends: the
                            first dx_op_poll op waiting on it (a list of its own: one may want IN and OUT) */
    dx_reactor_bufring *ms_br;
    uint32_t ms_gen;     /* tags its completions: late ones of a disarmed recv are recognised */
    uint8_t rd_short;    /* readiness backends: the last recv got less than it asked for (emptied the socket) */
    uint8_t sock_type;   /* readiness backends: 0 not known yet, 1 a stream socket, 2 something else */
    uint8_t rd_hup;      /* epoll, kqueue: the peer's FIN (or an error) was reported: no edge will follow a short read */
};

DXI_PRIVATE uint64_t dxi_reactor_slots_size(uint32_t max_fds) { return ((uint64_t)max_fds * sizeof(dxi_reactor_slot) + 7u) & ~(uint64_t)7u; }

/* The fd table: max_fds slots at the start of the memory, empty when all zero. Memory that create
   got zeroed from calloc is not written here: only the pages of the fds in use become resident (a
   table for RLIMIT_NOFILE 2^20 is 64 MiB). */
DXI_PRIVATE void dxi_reactor_slots(dx_reactor *r) {
    r->slots = r->memory;
    if (!r->memory_zeroed) DX_MEMSET(r->memory, 0, (size_t)dxi_reactor_slots_size(r->max_fds));
}

DXI_PRIVATE int dxi_reactor_wake_fds(dx_reactor *r) {
#if DXI_REACTOR_LINUX
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) return errno;
    r->wake_rfd = r->wake_wfd = fd;
#else
    int p[2];
    if (pipe(p) != 0) return errno;
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    r->wake_rfd = p[0];
    r->wake_wfd = p[1];
#endif
    return 0;
}

/* A POSIX backend's first step in init: the fd table and the wake fd. */
DXI_PRIVATE dx_result dxi_reactor_posix_init(dx_reactor *r) {
    int e = dxi_reactor_wake_fds(r);
    if (e) return dxi_reactor_map(e);
    dxi_reactor_slots(r);
    return DX_OK;
}

/* A POSIX backend's last step in deinit. */
DXI_PRIVATE void dxi_reactor_posix_deinit(dx_reactor *r) {
    r->slots = NULL;
    if (r->wake_wfd >= 0 && r->wake_wfd != r->wake_rfd) close(r->wake_wfd);
    if (r->wake_rfd >= 0) close(r->wake_rfd);
    r->wake_rfd = r->wake_wfd = -1;
}

DXI_PRIVATE dx_result dxi_reactor_posix_wake(dx_reactor *r) {
    uint64_t one = 1;
    ssize_t n;
    if (r->wake_wfd < 0) return DX_ERR_MISUSE;
    n = write(r->wake_wfd, &one, r->wake_wfd == r->wake_rfd ? sizeof one : 1);
    if (n < 0 && errno != EAGAIN) return dxi_reactor_map(errno);
    return DX_OK;
}

DX_INLINE int dxi_reactor_is_write(const dx_op *op) {
    return op->kind == DX_OP_KIND_SEND || op->kind == DX_OP_KIND_SENDV || op->kind == DX_OP_KIND_WRITE || op->kind == DX_OP_KIND_CONNECT;
}

/* dx_op_poll's events as poll() events. POLLRDHUP (Linux; wherever <poll.h> has it) with IN:
   the peer's end of stream is a HUP too, on every backend that has it. */
DX_INLINE short dxi_reactor_poll_events(const dx_op *op) {
    short e = 0;
    if (op->flags & DX_OP_POLL_IN) e |= POLLIN;
    if (op->flags & DX_OP_POLL_OUT) e |= POLLOUT;
#if defined(POLLRDHUP)
    if (op->flags & DX_OP_POLL_IN) e |= POLLRDHUP;
#endif
    return e;
}
/* poll() revents as dx_op_poll's result: the events asked for that are
   ready, ERR and HUP always; 0 when none is (not ready yet). */
DX_INLINE int64_t dxi_reactor_poll_res(const dx_op *op, uint32_t revents) {
    int64_t res = 0;
    if ((revents & POLLIN) && (op->flags & DX_OP_POLL_IN)) res |= DX_OP_POLL_IN;
    if ((revents & POLLOUT) && (op->flags & DX_OP_POLL_OUT)) res |= DX_OP_POLL_OUT;
    if (revents & POLLERR) res |= DX_OP_POLL_ERR;
    if (revents & POLLHUP) res |= DX_OP_POLL_HUP;
#if defined(POLLRDHUP)
    if (revents & POLLRDHUP) res |= DX_OP_POLL_HUP;
#endif
    return res;
}

/* Cancels every op waiting on fd (close). */
DXI_PRIVATE void dxi_reactor_cancel_fd(dx_reactor *r, int fd) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + fd;
    while (r->vt->watch && s->ms) { /* readiness backends: the polls (io_uring's ms is its multishot recv) */
        dx_op *op = s->ms;
        s->ms = op->next;
        if (s->ms) s->ms->prev = NULL;
        op->next = op->prev = NULL;
        dxi_reactor_done(r, op, DX_ERR_CANCELED, 0);
    }
    while (s->rd) {
        dx_op *op = s->rd;
        dxi_reactor_unlink(&s->rd, &s->rd_tail, op);
        dxi_reactor_done(r, op, DX_ERR_CANCELED, 0);
    }
    while (s->wr) {
        dx_op *op = s->wr;
        dxi_reactor_unlink(&s->wr, &s->wr_tail, op);
        dxi_reactor_done(r, op, DX_ERR_CANCELED, 0);
    }
    if (r->vt->watch) r->vt->watch(r, fd, s);
    s->registered = 0;
    s->rd_short = s->sock_type = s->rd_hup = 0; /* the number may come back as another file */
}

/* Takes a poll op out of its fd's list (readiness backends). */
DX_INLINE void dxi_reactor_poll_unlink(dxi_reactor_slot *s, dx_op *op) {
    if (op->prev) op->prev->next = op->next;
    else s->ms = op->next;
    if (op->next) op->next->prev = op->prev;
    op->next = op->prev = NULL;
}

/* Cancels target, which waits in the fd table (W_RD, W_WR, W_POLL). */
DXI_PRIVATE void dxi_reactor_slot_cancel(dx_reactor *r, dx_op *op, dx_op *t) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + (int)t->fd;
    if (t->where == DXI_REACTOR_W_RD) dxi_reactor_unlink(&s->rd, &s->rd_tail, t);
    else if (t->where == DXI_REACTOR_W_POLL) dxi_reactor_poll_unlink(s, t);
    else dxi_reactor_unlink(&s->wr, &s->wr_tail, t);
    if (r->vt->watch) r->vt->watch(r, (int)t->fd, s);
    dxi_reactor_done(r, t, DX_ERR_CANCELED, 0);
    dxi_reactor_done(r, op, 0, 0);
}

DXI_PRIVATE void dxi_reactor_posix_fd_forget(dx_reactor *r, uintptr_t fd) {
    if (r->slots && fd < r->max_fds) dxi_reactor_cancel_fd(r, (int)fd);
}
#endif

/* ---- io_uring (Linux 5.11+) by raw system calls (ABI from include/uapi/linux/io_uring.h) ---- */

#if defined(DXI_REACTOR_HAS_IOURING)
#ifndef SYS_io_uring_setup /* the same numbers on every architecture but alpha */
#define SYS_io_uring_setup 425
#define SYS_io_uring_enter 426
#define SYS_io_uring_register 427
#endif
enum {
    DXI_URING_OP_READV = 1, DXI_URING_OP_POLL_ADD = 6, DXI_URING_OP_SENDMSG = 9, DXI_URING_OP_ACCEPT = 13, DXI_URING_OP_ASYNC_CANCEL = 14,
    DXI_URING_OP_CONNECT = 16, DXI_URING_OP_CLOSE = 19, DXI_URING_OP_READ = 22, DXI_URING_OP_WRITE = 23,
    DXI_URING_OP_SEND = 26, DXI_URING_OP_RECV = 27,
    DXI_URING_SETUP_SQPOLL = 1u << 1, DXI_URING_SETUP_SUBMIT_ALL = 1u << 7, DXI_URING_SETUP_COOP_TASKRUN = 1u << 8,
    DXI_URING_SETUP_TASKRUN_FLAG = 1u << 9, DXI_URING_SETUP_SINGLE_ISSUER = 1u << 12,
    DXI_URING_SETUP_DEFER_TASKRUN = 1u << 13,
    DXI_URING_FEAT_SINGLE_MMAP = 1u << 0, DXI_URING_FEAT_EXT_ARG = 1u << 8, DXI_URING_FEAT_RSRC_TAGS = 1u << 10,
    DXI_URING_POLL_ADD_MULTI = 1u << 0, /* POLL_ADD's flags, in sqe->len */
    DXI_URING_ENTER_GETEVENTS = 1u << 0, DXI_URING_ENTER_SQ_WAKEUP = 1u << 1, DXI_URING_ENTER_EXT_ARG = 1u << 3,
    DXI_URING_ENTER_REGISTERED_RING = 1u << 4,
    DXI_URING_SQ_NEED_WAKEUP = 1u << 0,
    DXI_URING_SQE_IO_HARDLINK = 1u << 3, DXI_URING_SQE_BUFFER_SELECT = 1u << 5,
    DXI_URING_RECV_MULTISHOT = 1u << 1, DXI_URING_ACCEPT_MULTISHOT = 1u << 0, DXI_URING_CQE_F_NOTIF = 1u << 3,
    DXI_URING_OP_SEND_ZC = 47, DXI_URING_CQE_F_BUFFER = 1u << 0, DXI_URING_CQE_F_MORE = 1u << 1,
    DXI_URING_REGISTER_PBUF_RING = 22, DXI_URING_UNREGISTER_PBUF_RING = 23,
    DXI_URING_CANCEL_ALL = 1u << 0, DXI_URING_CANCEL_FD = 1u << 1,
    DXI_URING_REGISTER_PROBE = 8, DXI_URING_REGISTER_RING_FDS = 20,
    DXI_URING_UD_IGNORE = 0, DXI_URING_UD_WAKE = 1
};
#define DXI_URING_OFF_SQ_RING 0ull
#define DXI_URING_OFF_CQ_RING 0x8000000ull
#define DXI_URING_OFF_SQES 0x10000000ull

typedef struct dxi_uring_sq_offsets {
    uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
    uint64_t user_addr;
} dxi_uring_sq_offsets;
typedef struct dxi_uring_cq_offsets {
    uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
    uint64_t user_addr;
} dxi_uring_cq_offsets;
typedef struct dxi_uring_params {
    uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
    dxi_uring_sq_offsets sq_off;
    dxi_uring_cq_offsets cq_off;
} dxi_uring_params;
typedef struct dxi_uring_sqe { /* 64 bytes */
    uint8_t opcode, flags;
    uint16_t ioprio;
    int32_t fd;
    uint64_t off; /* or addr2 */
    uint64_t addr;
    uint32_t len;
    uint32_t op_flags; /* msg_flags, accept_flags, cancel_flags, ... */
    uint64_t user_data;
    uint16_t buf_index, personality;
    uint32_t file_index;
    uint64_t addr3, pad2;
} dxi_uring_sqe;
typedef struct dxi_uring_cqe {
    uint64_t user_data;
    int32_t res;
    uint32_t flags;
} dxi_uring_cqe;
typedef struct dxi_uring_getevents_arg {
    uint64_t sigmask;
    uint32_t sigmask_sz, min_wait_usec;
    uint64_t ts;
} dxi_uring_getevents_arg;
typedef struct dxi_uring_ts {
    int64_t tv_sec, tv_nsec;
} dxi_uring_ts;
typedef struct dxi_uring_rsrc_update {
    uint32_t offset, resv;
    uint64_t data;
} dxi_uring_rsrc_update;
DX_STATIC_ASSERT(sizeof(dxi_uring_params) == 120, dxi_uring_params_size);
DX_STATIC_ASSERT(sizeof(dxi_uring_sqe) == 64, dxi_uring_sqe_size);
DX_STATIC_ASSERT(offsetof(dxi_uring_sqe, user_data) == 32, dxi_uring_sqe_user_data);
DX_STATIC_ASSERT(offsetof(dxi_uring_sqe, addr3) == 48, dxi_uring_sqe_addr3);
DX_STATIC_ASSERT(sizeof(dxi_uring_cqe) == 16, dxi_uring_cqe_size);
DX_STATIC_ASSERT(sizeof(struct msghdr) <= sizeof(((dx_op_priv *)0)->msghdr), dxi_uring_msghdr_fits);

#define DXI_URING_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define DXI_URING_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Gives a buffer back to the kernel's ring (a bufring made on another backend: to the free list). */
DXI_PRIVATE void dxi_uring_buf_put(dx_reactor_bufring *br, uint32_t id) {
    if (br->ring) {
        uint8_t *e = (uint8_t *)br->ring + 16u * (uint32_t)(br->tail & (br->count - 1));
        uint64_t addr = (uint64_t)(uintptr_t)(br->mem + (size_t)id * br->size);
        uint32_t len = br->size;
        uint16_t bid = (uint16_t)id;
        DX_MEMCPY(e, &addr, 8);
        DX_MEMCPY(e + 8, &len, 4);
        DX_MEMCPY(e + 12, &bid, 2);
        br->tail++;
        __atomic_store_n((uint16_t *)(void *)((uint8_t *)br->ring + 14), br->tail, __ATOMIC_RELEASE);
        return;
    }
    br->free_ids[br->nfree++] = (uint16_t)id;
}

DXI_PRIVATE int dxi_uring_enter(dx_reactor *r, uint32_t min_complete, int64_t timeout_ns, int wait) {
    dx_reactor_uring *u = &r->be.uring;
    dxi_uring_getevents_arg arg;
    dxi_uring_ts ts;
    uint32_t flags = u->enter_flags, to_submit;
    long rc;
    DXI_URING_STORE(u->sq_tail, u->sq_local_tail);
    to_submit = u->sq_local_tail - DXI_URING_LOAD(u->sq_head);
    DX_MEMSET(&arg, 0, sizeof arg);
    arg.sigmask_sz = 8; /* _NSIG / 8 */
    if (wait) {
        flags |= DXI_URING_ENTER_GETEVENTS;
        if (timeout_ns >= 0) { /* without a timeout the kernel need not read an argument */
            flags |= DXI_URING_ENTER_EXT_ARG;
            ts.tv_sec = timeout_ns / 1000000000;
            ts.tv_nsec = timeout_ns % 1000000000;
            arg.ts = (uint64_t)(uintptr_t)&ts;
        }
    } else {
        min_complete = 0;
    }
    if (u->setup_flags & DXI_URING_SETUP_SQPOLL) {
        if (DXI_URING_LOAD(u->sq_flags) & DXI_URING_SQ_NEED_WAKEUP) flags |= DXI_URING_ENTER_SQ_WAKEUP;
        else if (!wait) return 0;
    } else if (!wait && to_submit == 0) {
        return 0;
    }
    r->stats.enters++;
    rc = syscall(SYS_io_uring_enter, u->enter_fd, to_submit, min_complete, flags,
                 (flags & DXI_URING_ENTER_EXT_ARG) ? (void *)&arg : NULL, (flags & DXI_URING_ENTER_EXT_ARG) ? sizeof arg : 0);
    if (rc < 0) {
        if (errno == ETIME || errno == EINTR || errno == EAGAIN || errno == EBUSY) return 0;
        return errno;
    }
    return 0;
}

/* The next free SQE (zeroed), submitting what is queued if the ring is full. */
DXI_PRIVATE dxi_uring_sqe *dxi_uring_sqe_get(dx_reactor *r) {
    dx_reactor_uring *u = &r->be.uring;
    uint32_t idx;
    dxi_uring_sqe *sqe;
    if (u->sq_local_tail - DXI_URING_LOAD(u->sq_head) >= u->sq_entries) {
        dxi_uring_enter(r, 0, 0, 0);
        if (u->sq_local_tail - DXI_URING_LOAD(u->sq_head) >= u->sq_entries) return NULL;
    }
    idx = u->sq_local_tail & u->sq_mask;
    sqe = (dxi_uring_sqe *)u->sqes + idx;
    DX_MEMSET(sqe, 0, sizeof *sqe);
    if (u->sq_array) u->sq_array[idx] = idx;
    u->sq_local_tail++;
    return sqe;
}

DXI_PRIVATE void dxi_uring_arm_wake(dx_reactor *r) {
    dxi_uring_sqe *sqe;
    if (r->be.uring.wake_armed) return;
    sqe = dxi_uring_sqe_get(r);
    if (!sqe) return; /* tried again next turn */
    sqe->opcode = DXI_URING_OP_READ;
    sqe->fd = r->wake_rfd;
    sqe->addr = (uint64_t)(uintptr_t)&r->be.uring.wake_buf;
    sqe->len = sizeof r->be.uring.wake_buf;
    sqe->off = UINT64_MAX;
    sqe->user_data = DXI_URING_UD_WAKE;
    r->be.uring.wake_armed = true;
}

DXI_PRIVATE void dxi_uring_prep(dx_reactor *r, dx_op *op);

/* POLL_ADD's 32-bit event mask: the kernel swaps its 16-bit halves on big-endian hosts (liburing does the same). */
DX_INLINE uint32_t dxi_uring_poll32(uint32_t m) {
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (m << 16) | (m >> 16);
#else
    return m;
#endif
}

/* A multishot recv's user_data: its fd slot (which outlives the op), tagged
   with bit 0 and a 2-bit generation, so that completions still in flight for
   a recv the user disarmed are recognised and dropped. */
DX_INLINE uint64_t dxi_uring_ms_tag(dx_reactor *r, uintptr_t fd) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + fd;
    return (uint64_t)(uintptr_t)s | 1u | ((uint64_t)(s->ms_gen & 3u) << 1);
}

/* fd's multishot slot holds an armed EDGE poll (its op is live: the slot is cleared when it ends or is disarmed). */
DX_INLINE int dxi_uring_edge_poll(dx_reactor *r, uintptr_t fd) {
    const dx_op *ms = fd < r->max_fds ? ((dxi_reactor_slot *)r->slots)[fd].ms : NULL;
    return ms && ms->kind == DX_OP_KIND_POLL;
}

/* One send in flight per socket, so that bytes never reorder: the others wait in the fd table. */
DXI_PRIVATE void dxi_uring_start(dx_reactor *r, dx_op *op) {
    if ((op->kind == DX_OP_KIND_SEND || op->kind == DX_OP_KIND_SENDV) && op->fd < r->max_fds) {
        dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + op->fd;
        if (s->registered) {
            op->where = DXI_REACTOR_W_WR;
            dxi_reactor_push(&s->wr, &s->wr_tail, op);
            return;
        }
        s->registered = 1;
    }
    if (op->kind == DX_OP_KIND_CLOSE && op->fd < r->max_fds) dxi_reactor_cancel_fd(r, (int)op->fd);
    dxi_uring_prep(r, op);
}

/* A send finished: the next one on its socket goes. */
DXI_PRIVATE void dxi_uring_send_done(dx_reactor *r, dx_op *op) {
    dxi_reactor_slot *s;
    if (op->fd >= r->max_fds) return;
    s = (dxi_reactor_slot *)r->slots + op->fd;
    if (s->wr) {
        dx_op *next = s->wr;
        dxi_reactor_unlink(&s->wr, &s->wr_tail, next);
        dxi_uring_prep(r, next);
    } else {
        s->registered = 0;
    }
}

DXI_PRIVATE void dxi_uring_prep(dx_reactor *r, dx_op *op) {
    dxi_uring_sqe *sqe = dxi_uring_sqe_get(r);
    if (!sqe) {
        if (op->kind == DX_OP_KIND_SEND || op->kind == DX_OP_KIND_SENDV) dxi_uring_send_done(r, op);
        dxi_reactor_done(r, op, DX_ERR_BUSY, EBUSY);
        return;
    }
    sqe->fd = (int32_t)op->fd;
    sqe->user_data = (uint64_t)(uintptr_t)op;
    op->where = DXI_REACTOR_W_KERNEL;
    op->canceler = NULL;
    switch (op->kind) {
    case DX_OP_KIND_ACCEPT:
        sqe->opcode = DXI_URING_OP_ACCEPT;
        sqe->addr = (uint64_t)(uintptr_t)op->buf;
        sqe->off = op->buf ? (uint64_t)(uintptr_t)&op->addr_len : 0;
        sqe->op_flags = SOCK_CLOEXEC; /* blocking: the ring waits for it without a poll round trip */
        if (!op->buf && op->fd < r->max_fds && !dxi_uring_edge_poll(r, op->fd)) { /* no address wanted: one multishot accept serves every REARM */
            dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + op->fd;
            s->ms = op;
            s->ms_br = NULL;
            sqe->ioprio = DXI_URING_ACCEPT_MULTISHOT;
            sqe->user_data = dxi_uring_ms_tag(r, op->fd);
            op->iflags |= DXI_REACTOR_IF_ARMED;
        }
        break;
    case DX_OP_KIND_CONNECT:
        sqe->opcode = DXI_URING_OP_CONNECT;
        sqe->addr = (uint64_t)(uintptr_t)op->buf;
        sqe->off = op->len;
        break;
    case DX_OP_KIND_RECV:
    case DX_OP_KIND_SEND:
        sqe->opcode = op->kind == DX_OP_KIND_RECV ? DXI_URING_OP_RECV : DXI_URING_OP_SEND;
        sqe->addr = (uint64_t)(uintptr_t)op->buf;
        sqe->len = (uint32_t)(op->len > 0x7ffff000u ? 0x7ffff000u : op->len);
        sqe->op_flags = op->kind == DX_OP_KIND_SEND ? (uint32_t)MSG_NOSIGNAL : 0;
        if (op->kind == DX_OP_KIND_SEND && op->len >= DX_REACTOR_ZC_MIN && (r->features & DX_REACTOR_FEAT_SEND_ZC) &&
            !(op->iflags & DXI_REACTOR_IF_NOTSOCK)) { /* large: zero copy; the callback waits for the notification */
            sqe->opcode = DXI_URING_OP_SEND_ZC;
            op->iflags |= DXI_REACTOR_IF_ZC;
            op->priv.zc.res = 0;
            r->stats.zc_sends++;
        }
        break;
    case DX_OP_KIND_RECVV:
        sqe->opcode = DXI_URING_OP_READV;
        sqe->addr = (uint64_t)(uintptr_t)op->buf;
        sqe->len = (uint32_t)op->len;
        sqe->off = UINT64_MAX;
        break;
    case DX_OP_KIND_SENDV: {
        struct msghdr *m = (struct msghdr *)(void *)op->priv.msghdr;
        DX_MEMSET(m, 0, sizeof *m);
        m->msg_iov = (struct iovec *)op->buf;
        m->msg_iovlen = DXI_REACTOR_IOVLEN(op->len);
        sqe->opcode = DXI_URING_OP_SENDMSG;
        sqe->addr = (uint64_t)(uintptr_t)m;
        sqe->len = 1;
        sqe->op_flags = (uint32_t)MSG_NOSIGNAL;
        break;
    }
    case DX_OP_KIND_READ:
    case DX_OP_KIND_WRITE:
        sqe->opcode = op->kind == DX_OP_KIND_READ ? DXI_URING_OP_READ : DXI_URING_OP_WRITE;
        sqe->addr = (uint64_t)(uintptr_t)op->buf;
        sqe->len = (uint32_t)(op->len > 0x7ffff000u ? 0x7ffff000u : op->len);
        sqe->off = op->offset;
        break;
    case DX_OP_KIND_CLOSE: {
        /* cancel everything pending on fd, then close it (hard link: runs even if nothing was canceled) */
        dxi_uring_sqe *c;
        sqe->opcode = DXI_URING_OP_ASYNC_CANCEL;
        sqe->op_flags = DXI_URING_CANCEL_FD | DXI_URING_CANCEL_ALL;
        sqe->flags = DXI_URING_SQE_IO_HARDLINK;
        sqe->user_data = DXI_URING_UD_IGNORE;
        c = dxi_uring_sqe_get(r);
        if (!c) { /* cannot happen: dxi_uring_sqe_get flushed; close synchronously */
            sqe->flags = 0;
            op->where = DXI_REACTOR_W_NONE;
            if (close((int)op->fd) != 0) dxi_reactor_done_errno(r, op, errno);
            else dxi_reactor_done(r, op, 0, 0);
            return;
        }
        c->opcode = DXI_URING_OP_CLOSE;
        c->fd = (int32_t)op->fd;
        c->user_data = (uint64_t)(uintptr_t)op;
        break;
    }
    case DX_OP_KIND_CANCEL:
        sqe->opcode = DXI_URING_OP_ASYNC_CANCEL;
        sqe->fd = -1;
        sqe->addr = (uint64_t)(uintptr_t)op->target;
        if ((op->target->iflags & DXI_REACTOR_IF_ARMED) && op->target->fd < r->max_fds)
            sqe->addr = dxi_uring_ms_tag(r, op->target->fd);
        break;
    case DX_OP_KIND_POLL: /* one-shot: completes at once when the fd is ready already (level) */
        sqe->opcode = DXI_URING_OP_POLL_ADD;
        sqe->op_flags = dxi_uring_poll32((uint32_t)(unsigned short)dxi_reactor_poll_events(op));
        if ((op->flags & DX_OP_POLL_EDGE) && (r->features & DX_REACTOR_FEAT_POLL_MULTI) && op->fd < r->max_fds &&
            !((dxi_reactor_slot *)r->slots)[op->fd].ms) { /* EDGE: multishot, in the fd's slot (one per fd; else one-shot) */
            dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + op->fd;
            s->ms = op;
            s->ms_br = NULL;
            sqe->len = DXI_URING_POLL_ADD_MULTI; /* a CQE per wake-up that finds the fd ready, the first at once if it is */
            sqe->user_data = dxi_uring_ms_tag(r, op->fd);
            op->iflags |= DXI_REACTOR_IF_ARMED;
        }
        break;
    case DX_OP_KIND_RECV_MULTI: {
        dxi_reactor_slot *s;
        if (op->fd >= r->max_fds || dxi_uring_edge_poll(r, op->fd)) { /* out of the table; the fd's slot is an EDGE poll's */
            op->where = DXI_REACTOR_W_NONE;
            sqe->user_data = DXI_URING_UD_IGNORE;
            dxi_reactor_done(r, op, op->fd >= r->max_fds ? DX_ERR_LIMIT : DX_ERR_BUSY, 0);
            break;
        }
        s = (dxi_reactor_slot *)r->slots + op->fd;
        s->ms = op;
        s->ms_br = op->priv.multi.ring;
        sqe->opcode = DXI_URING_OP_RECV;
        sqe->ioprio = DXI_URING_RECV_MULTISHOT;
        sqe->flags = DXI_URING_SQE_BUFFER_SELECT;
        sqe->buf_index = s->ms_br->group;
        sqe->user_data = dxi_uring_ms_tag(r, op->fd);
        op->iflags |= DXI_REACTOR_IF_ARMED;
        break;
    }
    default:
        op->where = DXI_REACTOR_W_NONE;
        sqe->user_data = DXI_URING_UD_IGNORE; /* a NOP */
        dxi_reactor_done(r, op, DX_ERR_INVAL, 0);
        break;
    }
}

/* An op on a non-blocking fd said EAGAIN (io_uring honours O_NONBLOCK): wait with a poll, then retry. */
DXI_PRIVATE int dxi_uring_poll(dx_reactor *r, dx_op *op) {
    dxi_uring_sqe *sqe = dxi_uring_sqe_get(r);
    if (!sqe) return 0;
    sqe->opcode = DXI_URING_OP_POLL_ADD;
    sqe->fd = (int32_t)op->fd;
    sqe->op_flags = dxi_uring_poll32(dxi_reactor_is_write(op) ? POLLOUT : POLLIN);
    sqe->user_data = (uint64_t)(uintptr_t)op;
    op->iflags |= DXI_REACTOR_IF_POLLING;
    return 1;
}

DXI_PRIVATE void dxi_uring_complete(dx_reactor *r, dx_op *op, int32_t res, uint32_t flags) {
    dx_op *canceler;
    if (op->iflags & DXI_REACTOR_IF_ZC) { /* send_zc: the result, then (F_MORE) a notification once the buffer is free */
        if (flags & DXI_URING_CQE_F_MORE) {
            op->priv.zc.res = res;
            return;
        }
        if (flags & DXI_URING_CQE_F_NOTIF) res = (int32_t)op->priv.zc.res;
        op->iflags &= (uint8_t)~DXI_REACTOR_IF_ZC;
        if (res == -EOPNOTSUPP) { /* not for this socket (AF_UNIX): a plain send */
            op->iflags |= DXI_REACTOR_IF_NOTSOCK;
            op->where = DXI_REACTOR_W_KERNEL;
            dxi_uring_prep(r, op);
            return;
        }
    }
    if (op->iflags & DXI_REACTOR_IF_POLLING) {
        op->iflags &= (uint8_t)~DXI_REACTOR_IF_POLLING;
        if (res >= 0 && op->kind == DX_OP_KIND_CONNECT) {
            int err = 0;
            socklen_t el = sizeof err;
            if (getsockopt((int)op->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0) err = errno;
            res = -err;
        } else if (res >= 0) {
            op->where = DXI_REACTOR_W_KERNEL;
            dxi_uring_prep(r, op);
            return;
        }
    } else if ((res == -EAGAIN || (res == -EINPROGRESS && op->kind == DX_OP_KIND_CONNECT)) && op->kind != DX_OP_KIND_CANCEL &&
               op->kind != DX_OP_KIND_CLOSE && dxi_uring_poll(r, op)) {
        return;
    }
    if (op->kind == DX_OP_KIND_SEND || op->kind == DX_OP_KIND_SENDV) dxi_uring_send_done(r, op);
    canceler = op->canceler;
    if (op->kind == DX_OP_KIND_CANCEL) {
        dx_op *t = op->target;
        if (res == 0 && t && t->where == DXI_REACTOR_W_KERNEL) { /* report after the target's own completion */
            t->canceler = op;
            op->where = DXI_REACTOR_W_NONE;
            return;
        }
        if (res == -EALREADY) res = -EBUSY;
    }
    if (res < 0) dxi_reactor_done_errno(r, op, -res);
    else dxi_reactor_done(r, op, op->kind == DX_OP_KIND_POLL ? dxi_reactor_poll_res(op, (uint32_t)res) : res, 0);
    if (canceler) {
        op->canceler = NULL;
        dxi_reactor_done(r, canceler, 0, 0);
    }
}

/* A completion of a multishot (recv, accept, EDGE poll). Returns 0, or 1 when its op still waits
   for its callback: this completion then stays in the ring for the next turn. */
DXI_PRIVATE int dxi_uring_multi(dx_reactor *r, uint64_t ud, int32_t res, uint32_t flags) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)(uintptr_t)(ud & ~(uint64_t)7);
    dx_op *op = s->ms;
    dx_reactor_bufring *br = s->ms_br;
    int has_buf = (flags & DXI_URING_CQE_F_BUFFER) != 0, more = (flags & DXI_URING_CQE_F_MORE) != 0;
    uint32_t bid = flags >> 16;
    if (!op || ((ud >> 1) & 3u) != (s->ms_gen & 3u)) { /* of a recv the user disarmed */
        if (has_buf && br) dxi_uring_buf_put(br, bid);
        return 0;
    }
    if (op->where == DXI_REACTOR_W_DONE) { /* its callback has not run yet */
        if (op->kind == DX_OP_KIND_POLL && more && res >= 0 && op->res >= 0) { /* an EDGE poll's news: the same callback tells it */
            op->res |= dxi_reactor_poll_res(op, (uint32_t)res);
            return 0;
        }
        return 1; /* this completion waits in the ring for the next turn */
    }
    if (res == -EAGAIN && !more) { /* a non-blocking socket (io_uring honours O_NONBLOCK): poll, then again */
        op->iflags &= (uint8_t)~DXI_REACTOR_IF_ARMED;
        s->ms = NULL;
        if (dxi_uring_poll(r, op)) return 0;
    }
    if (res == -ENOBUFS) { /* every buffer is out: armed again once the callbacks gave some back */
        r->stats.rearms++;
        if (!more) {
            op->iflags &= (uint8_t)~DXI_REACTOR_IF_ARMED;
            dxi_uring_prep(r, op);
        }
        return 0;
    }
    if (!more) op->iflags = (uint8_t)((op->iflags & ~DXI_REACTOR_IF_ARMED) | DXI_REACTOR_IF_ENDED);
    if (res > 0 && has_buf) {
        op->buf = br->mem + (size_t)bid * br->size;
        op->priv.multi.held = bid + 1;
    } else if (has_buf) {
        dxi_uring_buf_put(br, bid);
    }
    if (!more) s->ms = NULL;
    {
        dx_op *canceler = more ? NULL : op->canceler;
        if (res < 0) dxi_reactor_done_errno(r, op, -res);
        else dxi_reactor_done(r, op, op->kind == DX_OP_KIND_POLL ? dxi_reactor_poll_res(op, (uint32_t)res) : res, 0);
        if (canceler) {
            op->canceler = NULL;
            dxi_reactor_done(r, canceler, 0, 0);
        }
    }
    return 0;
}

DXI_PRIVATE void dxi_uring_reap(dx_reactor *r) {
    dx_reactor_uring *u = &r->be.uring;
    uint32_t head = *u->cq_head, tail = DXI_URING_LOAD(u->cq_tail);
    while (head != tail) {
        const dxi_uring_cqe *cqe = (const dxi_uring_cqe *)u->cqes + (head & u->cq_mask);
        uint64_t ud = cqe->user_data;
        int32_t res = cqe->res;
        if (ud > DXI_URING_UD_WAKE && (ud & 1u)) {
            if (dxi_uring_multi(r, ud, res, cqe->flags)) break; /* the rest after this turn's callbacks */
            head++;
            continue;
        }
        head++;
        if (ud == DXI_URING_UD_IGNORE) continue;
        if (ud == DXI_URING_UD_WAKE) {
            u->wake_armed = false;
            if (res == (int32_t)sizeof u->wake_buf) dxi_reactor_woken(r);
            continue;
        }
        dxi_uring_complete(r, (dx_op *)(uintptr_t)ud, res, cqe->flags);
    }
    DXI_URING_STORE(u->cq_head, head);
}

DXI_PRIVATE dx_result dxi_uring_wait(dx_reactor *r, int64_t timeout_ns) {
    int e;
    dxi_uring_arm_wake(r);
    e = dxi_uring_enter(r, 1, timeout_ns, 1);
    dxi_uring_reap(r);
    return e ? dxi_reactor_map(e) : DX_OK;
}

DXI_PRIVATE void dxi_uring_ring_deinit(dx_reactor *r) {
    dx_reactor_uring *u = &r->be.uring;
    if (u->sqes && u->sqes != MAP_FAILED) munmap(u->sqes, u->sqes_size);
    if (u->cq_ring && u->cq_ring != u->sq_ring && u->cq_ring != MAP_FAILED) munmap(u->cq_ring, u->cq_ring_size);
    if (u->sq_ring && u->sq_ring != MAP_FAILED) munmap(u->sq_ring, u->sq_ring_size);
    if (u->ring_fd >= 0) close(u->ring_fd);
    DX_MEMSET(u, 0, sizeof *u);
    u->ring_fd = u->enter_fd = -1;
}

/* Returns 0 or an errno (ENOSYS, EPERM, ...) that makes init try the next backend. */
DXI_PRIVATE int dxi_uring_ring_init(dx_reactor *r, const dx_reactor_config *cfg) {
    dx_reactor_uring *u = &r->be.uring;
    dxi_uring_params p;
    uint32_t entries = DXI_DEF(cfg->ring_entries, (uint32_t)DX_REACTOR_DEFAULT_ENTRIES);
    uint32_t tries[4], ntries = 0, i;
    static const uint8_t needed[] = {DXI_URING_OP_READV, DXI_URING_OP_SENDMSG, DXI_URING_OP_ACCEPT, DXI_URING_OP_ASYNC_CANCEL,
                                     DXI_URING_OP_CONNECT, DXI_URING_OP_CLOSE, DXI_URING_OP_READ, DXI_URING_OP_WRITE,
                                     DXI_URING_OP_SEND, DXI_URING_OP_RECV};
    uint64_t probe[2 + 64]; /* 16-byte header, then 8 bytes per opcode */
    long fd = -1;
    int e = 0;
    if (cfg->flags & DX_REACTOR_CFG_SQPOLL) {
        tries[ntries++] = DXI_URING_SETUP_SQPOLL | DXI_URING_SETUP_SINGLE_ISSUER;
        tries[ntries++] = DXI_URING_SETUP_SQPOLL;
    } else if (!(cfg->flags & DX_REACTOR_CFG_NO_DEFER)) {
        tries[ntries++] = DXI_URING_SETUP_SINGLE_ISSUER | DXI_URING_SETUP_DEFER_TASKRUN | DXI_URING_SETUP_SUBMIT_ALL;
        tries[ntries++] = DXI_URING_SETUP_COOP_TASKRUN | DXI_URING_SETUP_TASKRUN_FLAG | DXI_URING_SETUP_SUBMIT_ALL;
    }
    tries[ntries++] = 0;
    for (i = 0; i < ntries; i++) {
        DX_MEMSET(&p, 0, sizeof p);
        p.flags = tries[i];
        if (tries[i] & DXI_URING_SETUP_SQPOLL) p.sq_thread_idle = 50; /* ms */
        fd = syscall(SYS_io_uring_setup, entries, &p);
        if (fd >= 0) break;
        e = errno;
        if (e != EINVAL) return e; /* ENOSYS, EPERM (seccomp, io_uring_disabled), ENOMEM: no io_uring */
    }
    if (fd < 0) return e;
    u->ring_fd = u->enter_fd = (int32_t)fd;
    u->setup_flags = p.flags;
    if (!(p.features & DXI_URING_FEAT_EXT_ARG) || !(p.features & DXI_URING_FEAT_SINGLE_MMAP)) {
        dxi_uring_ring_deinit(r);
        return ENOSYS; /* before 5.11: epoll serves better than a ring without timed waits */
    }
    DX_MEMSET(probe, 0, sizeof probe);
    if (syscall(SYS_io_uring_register, fd, DXI_URING_REGISTER_PROBE, probe, 64) < 0) {
        e = errno;
        dxi_uring_ring_deinit(r);
        return e;
    }
    for (i = 0; i < sizeof needed; i++) {
        const uint8_t *op = (const uint8_t *)(probe + 2) + 8u * needed[i];
        if (needed[i] > ((const uint8_t *)probe)[0] || !(dx_load_u16le(op + 2) & 1u)) { /* IO_URING_OP_SUPPORTED */
            dxi_uring_ring_deinit(r);
            return EOPNOTSUPP;
        }
    }
    {
        const uint8_t *zc = (const uint8_t *)(probe + 2) + 8u * DXI_URING_OP_SEND_ZC;
        if ((cfg->flags & DX_REACTOR_CFG_SEND_ZC) && !(cfg->flags & DX_REACTOR_CFG_NO_SEND_ZC) &&
            DXI_URING_OP_SEND_ZC <= ((const uint8_t *)probe)[0] && (dx_load_u16le(zc + 2) & 1u))
            r->features |= DX_REACTOR_FEAT_SEND_ZC;
    }
    u->sq_ring_size = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
    u->cq_ring_size = p.cq_off.cqes + p.cq_entries * sizeof(dxi_uring_cqe);
    if (u->cq_ring_size > u->sq_ring_size) u->sq_ring_size = u->cq_ring_size;
    u->cq_ring_size = u->sq_ring_size;
    u->sq_ring = mmap(NULL, u->sq_ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, (int)fd, (off_t)DXI_URING_OFF_SQ_RING);
    if (u->sq_ring == MAP_FAILED) {
        e = errno;
        u->sq_ring = NULL;
        dxi_uring_ring_deinit(r);
        return e;
    }
    u->cq_ring = u->sq_ring;
    u->sqes_size = p.sq_entries * sizeof(dxi_uring_sqe);
    u->sqes = mmap(NULL, u->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, (int)fd, (off_t)DXI_URING_OFF_SQES);
    if (u->sqes == MAP_FAILED) {
        e = errno;
        u->sqes = NULL;
        dxi_uring_ring_deinit(r);
        return e;
    }
    {
        uint8_t *sq = (uint8_t *)u->sq_ring, *cq = (uint8_t *)u->cq_ring;
        u->sq_head = (uint32_t *)(void *)(sq + p.sq_off.head);
        u->sq_tail = (uint32_t *)(void *)(sq + p.sq_off.tail);
        u->sq_flags = (uint32_t *)(void *)(sq + p.sq_off.flags);
        u->sq_array = (uint32_t *)(void *)(sq + p.sq_off.array);
        u->sq_mask = *(uint32_t *)(void *)(sq + p.sq_off.ring_mask);
        u->sq_entries = p.sq_entries;
        u->cq_head = (uint32_t *)(void *)(cq + p.cq_off.head);
        u->cq_tail = (uint32_t *)(void *)(cq + p.cq_off.tail);
        u->cq_mask = *(uint32_t *)(void *)(cq + p.cq_off.ring_mask);
        u->cqes = cq + p.cq_off.cqes;
        u->sq_local_tail = *u->sq_tail;
    }
    if (p.flags & DXI_URING_SETUP_SINGLE_ISSUER) r->features |= DX_REACTOR_FEAT_SINGLE_ISSUER;
    if (p.flags & DXI_URING_SETUP_DEFER_TASKRUN) r->features |= DX_REACTOR_FEAT_DEFER_TASKRUN;
    if (p.flags & DXI_URING_SETUP_COOP_TASKRUN) r->features |= DX_REACTOR_FEAT_COOP_TASKRUN;
    if (p.flags & DXI_URING_SETUP_SQPOLL) r->features |= DX_REACTOR_FEAT_SQPOLL;
    if (!(cfg->flags & DX_REACTOR_CFG_NO_REGISTERED_RING)) {
        dxi_uring_rsrc_update up;
        DX_MEMSET(&up, 0, sizeof up);
        up.offset = UINT32_MAX; /* any free slot */
        up.data = (uint64_t)fd;
        if (syscall(SYS_io_uring_register, fd, DXI_URING_REGISTER_RING_FDS, &up, 1) == 1) {
            u->enter_fd = (int32_t)up.offset;
            u->enter_flags = DXI_URING_ENTER_REGISTERED_RING;
            r->features |= DX_REACTOR_FEAT_REGISTERED_RING;
        }
    }
    r->features |= DX_REACTOR_FEAT_CANCEL_FD; /* probed opcodes imply a 5.19+ kernel for EXT_ARG... see BACKENDS */
    /* multishot POLL_ADD (IORING_POLL_ADD_MULTI) came in 5.13, as did this feature bit; an older kernel
       fails the flag with EINVAL, so it is only asked for where the bit says it is there */
    if ((p.features & DXI_URING_FEAT_RSRC_TAGS) && !(cfg->flags & DX_REACTOR_CFG_NO_POLL_MULTI)) r->features |= DX_REACTOR_FEAT_POLL_MULTI;
    return 0;
}

DXI_PRIVATE void dxi_uring_cancel(dx_reactor *r, dx_op *op, dx_op *t) {
    if (t->where == DXI_REACTOR_W_KERNEL) dxi_uring_prep(r, op); /* ASYNC_CANCEL: completes after its target */
    else if (t->where == DXI_REACTOR_W_WR) dxi_reactor_slot_cancel(r, op, t); /* a send queued behind the one in flight */
    else dxi_reactor_done(r, op, DX_ERR_NOTFOUND, 0);
}

/* The core will not wait: queued SQEs need io_uring_enter; else take what the kernel posted, without a system call. */
DXI_PRIVATE bool dxi_uring_peek(dx_reactor *r) {
    if (r->be.uring.sq_local_tail != *r->be.uring.sq_tail) return true;
    dxi_uring_reap(r);
    return false;
}

/* After the callback of a multishot op armed in the kernel: REARM keeps it
   armed (no new submission); otherwise it is canceled in the kernel and its
   late completions are dropped. */
DXI_PRIVATE void dxi_uring_multi_after(dx_reactor *r, dx_op *op, uintptr_t fd, dx_reactor_action act) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + fd;
    dxi_uring_sqe *sqe;
    uint64_t tag;
    if (act == DX_REACTOR_REARM && op->state == DX_OP_STATE_IDLE) { /* still armed in the kernel */
        op->iflags |= DXI_REACTOR_IF_ARMED;
        op->state = DX_OP_STATE_ACTIVE;
        op->where = DXI_REACTOR_W_KERNEL;
        r->stats.active++;
        return;
    }
    tag = dxi_uring_ms_tag(r, fd);
    if (s->ms == op) s->ms = NULL;
    s->ms_gen++; /* its late completions are recognised and dropped */
    sqe = dxi_uring_sqe_get(r);
    if (sqe) {
        sqe->opcode = DXI_URING_OP_ASYNC_CANCEL;
        sqe->fd = -1;
        sqe->addr = tag;
        sqe->user_data = DXI_URING_UD_IGNORE;
    }
}

/* Before dx_reactor_fd_close: cancel what the kernel holds on fd while the number still means it. */
DXI_PRIVATE void dxi_uring_fd_forget(dx_reactor *r, uintptr_t fd) {
    dxi_uring_sqe *sqe;
    dxi_reactor_posix_fd_forget(r, fd);
    sqe = dxi_uring_sqe_get(r);
    if (sqe) {
        sqe->opcode = DXI_URING_OP_ASYNC_CANCEL;
        sqe->fd = (int32_t)fd;
        sqe->op_flags = DXI_URING_CANCEL_FD | DXI_URING_CANCEL_ALL;
        sqe->user_data = DXI_URING_UD_IGNORE;
        dxi_uring_enter(r, 0, 0, 0);
    }
}

/* A buffer ring the kernel reads: mapped (an OS resource like the loop's rings) and registered. */
DXI_PRIVATE dx_result dxi_uring_bufring_init(dx_reactor *r, dx_reactor_bufring *br) {
    struct { uint64_t ring_addr; uint32_t ring_entries; uint16_t bgid, flags; uint64_t resv[3]; } reg;
    uint32_t i;
    br->ring_size = ((size_t)br->count * 16 + 4095) & ~(size_t)4095;
    br->ring = mmap(NULL, br->ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (br->ring == MAP_FAILED) {
        br->ring = NULL;
        return dxi_reactor_map(errno);
    }
    DX_MEMSET(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)br->ring;
    reg.ring_entries = br->count;
    reg.bgid = br->group;
    if (syscall(SYS_io_uring_register, r->be.uring.ring_fd, DXI_URING_REGISTER_PBUF_RING, &reg, 1) != 0) {
        int e = errno;
        munmap(br->ring, br->ring_size);
        br->ring = NULL;
        return dxi_reactor_map(e);
    }
    for (i = 0; i < br->count; i++) dxi_uring_buf_put(br, i);
    return DX_OK;
}

DXI_PRIVATE void dxi_uring_bufring_deinit(dx_reactor *r, dx_reactor_bufring *br) {
    struct { uint64_t ring_addr; uint32_t ring_entries; uint16_t bgid, flags; uint64_t resv[3]; } reg;
    if (!br->ring) return;
    DX_MEMSET(&reg, 0, sizeof reg);
    reg.bgid = br->group;
    if (r && r->vt == br->vt && r->be.uring.ring_fd >= 0)
        syscall(SYS_io_uring_register, r->be.uring.ring_fd, DXI_URING_UNREGISTER_PBUF_RING, &reg, 1);
    munmap(br->ring, br->ring_size);
}

DXI_PRIVATE void dxi_uring_deinit(dx_reactor *r) {
    dxi_uring_ring_deinit(r);
    dxi_reactor_posix_deinit(r);
}

DXI_PRIVATE dx_result dxi_uring_init(dx_reactor *r, const dx_reactor_config *cfg) {
    dx_result rc;
    int e;
    r->be.uring.ring_fd = r->be.uring.enter_fd = -1;
    rc = dxi_reactor_posix_init(r);
    if (rc != DX_OK) return rc;
    e = dxi_uring_ring_init(r, cfg);
    if (e) return dxi_reactor_map(e);
    fcntl(r->wake_rfd, F_SETFL, fcntl(r->wake_rfd, F_GETFL) & ~O_NONBLOCK); /* the ring polls it; a non-blocking read would fail at once */
    return DX_OK;
}

DXI_PRIVATE const dxi_reactor_vtable *dxi_uring_vtable(void) {
    static const dxi_reactor_vtable vt = {
        DX_REACTOR_BACKEND_IOURING, DXI_REACTOR_VT_MULTISHOT, dxi_reactor_slots_size, dxi_uring_init, dxi_uring_deinit,
        dxi_uring_start, dxi_uring_cancel, dxi_uring_wait, dxi_reactor_posix_wake,
        NULL /* now: the OS clock */, dxi_uring_fd_forget, dxi_uring_peek, dxi_uring_multi_after,
        dxi_uring_bufring_init, dxi_uring_bufring_deinit, dxi_uring_buf_put, NULL /* watch: readiness only */};
    return &vt;
}
#endif

/* ---- shared by the readiness backends (epoll, kqueue, poll): ops try the system call, then wait in the fd table ---- */

#if defined(DXI_REACTOR_HAS_READINESS)
DXI_PRIVATE int64_t dxi_reactor_io(dx_op *op) {
    int fd = (int)op->fd;
    ssize_t n = -1;
    switch (op->kind) {
    case DX_OP_KIND_ACCEPT: {
        socklen_t al = (socklen_t)op->addr_len;
        int nfd;
#if DXI_REACTOR_LINUX && defined(SYS_accept4)
        nfd = (int)syscall(SYS_accept4, fd, op->buf, op->buf ? &al : NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
        nfd = accept(fd, (struct sockaddr *)op->buf, op->buf ? &al : NULL);
        if (nfd >= 0) {
            fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) | O_NONBLOCK);
            fcntl(nfd, F_SETFD, FD_CLOEXEC);
        }
#endif
        if (nfd < 0) return -(int64_t)errno;
        op->addr_len = op->buf ? (uint32_t)al : 0;
        return nfd;
    }
    case DX_OP_KIND_CONNECT:
        if (op->iflags & DXI_REACTOR_IF_CONNECTING) {
            int err = 0;
            socklen_t el = sizeof err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0) return -(int64_t)errno;
            if (err == EINPROGRESS || err == EALREADY) return -(int64_t)EAGAIN;
            return err ? -(int64_t)err : 0;
        }
        if (connect(fd, (const struct sockaddr *)op->buf, (socklen_t)op->len) == 0) return 0;
        if (errno == EINPROGRESS || errno == EAGAIN || errno == EINTR) {
            op->iflags |= DXI_REACTOR_IF_CONNECTING;
            return -(int64_t)EAGAIN;
        }
        return -(int64_t)errno;
    case DX_OP_KIND_RECV:
        if (!(op->iflags & DXI_REACTOR_IF_NOTSOCK)) {
            n = recv(fd, op->buf, op->len, 0);
            if (n < 0 && errno == ENOTSOCK) op->iflags |= DXI_REACTOR_IF_NOTSOCK;
            else break;
        }
        n = read(fd, op->buf, op->len);
        break;
    case DX_OP_KIND_SEND:
        if (!(op->iflags & DXI_REACTOR_IF_NOTSOCK)) {
            n = send(fd, op->buf, op->len, MSG_NOSIGNAL);
            if (n < 0 && errno == ENOTSOCK) op->iflags |= DXI_REACTOR_IF_NOTSOCK;
            else break;
        }
        n = write(fd, op->buf, op->len);
        break;
    case DX_OP_KIND_RECVV:
        n = readv(fd, (const struct iovec *)op->buf, (int)op->len);
        break;
    case DX_OP_KIND_RECV_MULTI: { /* one of the pool's buffers, back in the pool after the callback */
        dx_reactor_bufring *br = op->priv.multi.ring;
        uint16_t id;
        if (!br->nfree) return -(int64_t)ENOBUFS;
        id = br->free_ids[br->nfree - 1];
        n = recv(fd, br->mem + (size_t)id * br->size, br->size, 0);
        if (n >= 0) {
            br->nfree--;
            op->buf = br->mem + (size_t)id * br->size;
            op->priv.multi.held = (uint32_t)id + 1;
        }
        break;
    }
    case DX_OP_KIND_SENDV:
        if (!(op->iflags & DXI_REACTOR_IF_NOTSOCK)) {
            struct msghdr m;
            DX_MEMSET(&m, 0, sizeof m);
            m.msg_iov = (struct iovec *)op->buf;
            m.msg_iovlen = DXI_REACTOR_IOVLEN(op->len);
            n = sendmsg(fd, &m, MSG_NOSIGNAL);
            if (n < 0 && errno == ENOTSOCK) op->iflags |= DXI_REACTOR_IF_NOTSOCK;
            else break;
        }
        n = writev(fd, (const struct iovec *)op->buf, (int)op->len);
        break;
#if defined(DXI_REACTOR_STRICT)
#define DXI_REACTOR_PREAD(fd, b, l, o) (ssize_t) syscall(SYS_pread64, fd, b, l, (long)(o))
#define DXI_REACTOR_PWRITE(fd, b, l, o) (ssize_t) syscall(SYS_pwrite64, fd, b, l, (long)(o))
#else
#define DXI_REACTOR_PREAD(fd, b, l, o) pread(fd, b, l, (off_t)(o))
#define DXI_REACTOR_PWRITE(fd, b, l, o) pwrite(fd, b, l, (off_t)(o))
#endif
    case DX_OP_KIND_READ:
        n = op->offset == DX_OP_OFFSET_CURRENT ? read(fd, op->buf, op->len) : DXI_REACTOR_PREAD(fd, op->buf, op->len, op->offset);
        break;
    case DX_OP_KIND_WRITE:
        n = op->offset == DX_OP_OFFSET_CURRENT ? write(fd, op->buf, op->len) : DXI_REACTOR_PWRITE(fd, op->buf, op->len, op->offset);
        break;
    case DX_OP_KIND_POLL: { /* the fd's state now (level): the backend's events only say when to look again */
        struct pollfd p;
        int k;
        p.fd = fd;
        p.events = dxi_reactor_poll_events(op);
        p.revents = 0;
        k = poll(&p, 1, 0);
        if (k < 0) return errno == EINTR ? -(int64_t)EAGAIN : -(int64_t)errno;
        if (p.revents & POLLNVAL) return -(int64_t)EBADF;
        n = (ssize_t)dxi_reactor_poll_res(op, (uint32_t)(unsigned short)p.revents);
        return n ? (int64_t)n : -(int64_t)EAGAIN;
    }
    default:
        return -(int64_t)EINVAL;
    }
    if (n < 0) return errno == EINTR ? -(int64_t)EAGAIN : -(int64_t)errno;
    return (int64_t)n;
}

/* Which filters the poll ops on s need: 1 read, 2 write. A poll that asks
   for neither IN nor OUT (only ERR, HUP) waits on the read side, where a
   hang-up shows. */
DXI_PRIVATE int dxi_reactor_poll_wants(const dxi_reactor_slot *s) {
    const dx_op *op;
    int w = 0;
    for (op = s->ms; op; op = op->next) {
        if ((op->flags & DX_OP_POLL_IN) || !(op->flags & DX_OP_POLL_OUT)) w |= 1;
        if (op->flags & DX_OP_POLL_OUT) w |= 2;
    }
    return w;
}

/* An event's readiness, for the EDGE polls it serves (epoll, kqueue):
   DX_OP_POLL_* bits, and this one for the peer's end of stream (POLLRDHUP,
   EV_EOF on a read filter), a HUP for the polls that ask for IN. */
#define DXI_REACTOR_EDGE_RDHUP 0x200u
/* An EDGE poll's result from an event: what it asked for, ERR and HUP always; 0: not its edge. */
DX_INLINE int64_t dxi_reactor_edge_res(const dx_op *op, uint32_t ev) {
    int64_t res = (int64_t)(ev & op->flags & (uint32_t)(DX_OP_POLL_IN | DX_OP_POLL_OUT));
    res |= (int64_t)(ev & (uint32_t)(DX_OP_POLL_ERR | DX_OP_POLL_HUP));
    if ((ev & DXI_REACTOR_EDGE_RDHUP) && (op->flags & DX_OP_POLL_IN)) res |= DX_OP_POLL_HUP;
    return res;
}

/* An event on fd, whichever it was: each level poll op there looks at the
   fd's state (one poll() each); an EDGE poll (armed: epoll, kqueue) takes
   the event's own readiness ev (dxi_reactor_edge_res), with no system call. */
DXI_PRIVATE void dxi_reactor_ready_polls(dx_reactor *r, int fd, uint32_t ev) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + fd;
    dx_op *op = s->ms, *next;
    for (; op; op = next) {
        int64_t n = (op->iflags & DXI_REACTOR_IF_ARMED) ? dxi_reactor_edge_res(op, ev) : dxi_reactor_io(op);
        next = op->next;
        if (n == -(int64_t)EAGAIN || n == 0) continue; /* a level poll's 0 is -EAGAIN; an EDGE poll's: not its edge */
        dxi_reactor_poll_unlink(s, op);
        if (n < 0) dxi_reactor_done_errno(r, op, (int)-n);
        else dxi_reactor_done(r, op, n, 0);
    }
    r->vt->watch(r, fd, s);
}

/* Waits for readiness of op's fd. Returns 0 or an errno. */
DXI_PRIVATE int dxi_reactor_arm(dx_reactor *r, dx_op *op) {
    int fd = (int)op->fd, e;
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + fd;
    dx_op **head, **tail;
    if (op->kind == DX_OP_KIND_POLL) { /* a list of their own, pushed at the front (their order does not matter) */
        op->where = DXI_REACTOR_W_POLL;
        op->prev = NULL;
        op->next = s->ms;
        if (s->ms) s->ms->prev = op;
        s->ms = op;
        e = r->vt->watch(r, fd, s);
        if (e) dxi_reactor_poll_unlink(s, op);
        return e;
    }
    if (dxi_reactor_is_write(op)) {
        op->where = DXI_REACTOR_W_WR;
        head = &s->wr, tail = &s->wr_tail;
    } else {
        op->where = DXI_REACTOR_W_RD;
        head = &s->rd, tail = &s->rd_tail;
    }
    dxi_reactor_push(head, tail, op);
    e = r->vt->watch(r, fd, s);
    if (e) dxi_reactor_unlink(head, tail, op);
    return e;
}

/* A recv that got less than it asked for emptied its stream socket: the
   next recv there waits for readiness instead of trying first, a system call
   that would only say EAGAIN (an echo server's recv after its send is one).
   Other fds keep trying first: a short datagram does not mean empty, and
   edge-triggered epoll would not report what is left again. */
DXI_PRIVATE void dxi_reactor_note_recv(dx_reactor *r, const dx_op *op, int64_t n) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + op->fd;
    if (n > 0 && (uint64_t)n < op->len) {
        if (!s->sock_type) {
            int type = 0;
            socklen_t len = sizeof type;
            s->sock_type = getsockopt((int)op->fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM ? 1 : 2;
        }
        s->rd_short = s->sock_type == 1;
    } else if (n != -(int64_t)EAGAIN) {
        s->rd_short = 0;
    }
}

/* Tries the ops waiting on one direction of fd, in order, until one would block. */
DXI_PRIVATE void dxi_reactor_ready(dx_reactor *r, int fd, int write) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + fd;
    dx_op **head = write ? &s->wr : &s->rd, **tail = write ? &s->wr_tail : &s->rd_tail;
    if (!write) s->rd_short = 0; /* readable again */
    while (*head) {
        dx_op *op = *head;
        int64_t n = dxi_reactor_io(op);
        if (op->kind == DX_OP_KIND_RECV) dxi_reactor_note_recv(r, op, n);
        if (n == -(int64_t)EAGAIN) break;
        dxi_reactor_unlink(head, tail, op);
        if (n < 0) dxi_reactor_done_errno(r, op, (int)-n);
        else dxi_reactor_done(r, op, n, 0);
    }
    r->vt->watch(r, fd, s);
}

DXI_PRIVATE void dxi_reactor_wake_drain(dx_reactor *r) {
    char buf[64];
    while (read(r->wake_rfd, buf, sizeof buf) > 0) {
        if (r->wake_rfd == r->wake_wfd) break; /* eventfd: one read resets it */
    }
    dxi_reactor_woken(r);
}

DXI_PRIVATE int dxi_reactor_ms(int64_t timeout_ns) {
    if (timeout_ns < 0) return -1;
    if (timeout_ns > (int64_t)1000000 * 1000000) return 1000000000;
    return (int)((timeout_ns + 999999) / 1000000); /* round up: never early */
}

/* start: try the system call first; on EAGAIN wait for readiness. */
DXI_PRIVATE void dxi_reactor_ready_start(dx_reactor *r, dx_op *op) {
    int64_t n;
    int e;
    if (op->fd >= r->max_fds) {
        dxi_reactor_done(r, op, (intptr_t)op->fd < 0 ? (int64_t)DX_REACTOR_ERR_BADF : (int64_t)DX_ERR_LIMIT, 0);
        return;
    }
    if (op->kind == DX_OP_KIND_CLOSE) {
        dxi_reactor_cancel_fd(r, (int)op->fd);
        if (close((int)op->fd) != 0) dxi_reactor_done_errno(r, op, errno);
        else dxi_reactor_done(r, op, 0, 0);
        return;
    }
    if (op->kind == DX_OP_KIND_POLL && (op->flags & DX_OP_POLL_EDGE) && (r->vt->flags & DXI_REACTOR_VT_EDGES))
        op->iflags |= DXI_REACTOR_IF_ARMED; /* one look now (below: it may be ready already), then the fd's edges */
    if (op->kind == DX_OP_KIND_RECV && ((dxi_reactor_slot *)r->slots)[op->fd].rd_short &&
        !((dxi_reactor_slot *)r->slots)[op->fd].rd_hup) {
        n = -(int64_t)EAGAIN; /* emptied by the last recv: wait for readiness */
    } else {
        n = dxi_reactor_io(op);
        if (op->kind == DX_OP_KIND_RECV) dxi_reactor_note_recv(r, op, n);
    }
    if (n != -(int64_t)EAGAIN) {
        if (n < 0) dxi_reactor_done_errno(r, op, (int)-n);
        else dxi_reactor_done(r, op, n, 0);
        return;
    }
    e = dxi_reactor_arm(r, op);
    if (e) dxi_reactor_done_errno(r, op, e);
}

DXI_PRIVATE void dxi_reactor_ready_cancel(dx_reactor *r, dx_op *op, dx_op *t) {
    if (t->where == DXI_REACTOR_W_RD || t->where == DXI_REACTOR_W_WR || t->where == DXI_REACTOR_W_POLL) dxi_reactor_slot_cancel(r, op, t);
    else dxi_reactor_done(r, op, DX_ERR_NOTFOUND, 0);
}

/* After an EDGE poll's callback (epoll, kqueue): REARM puts it back in its
   fd's list as it is, with no look at the fd (the caller read or wrote until
   EAGAIN: the next edge is news); DISARM leaves it (it may be freed). After
   an error (canceled, closed) or a refill, REARM starts it anew. */
DXI_PRIVATE void dxi_reactor_ready_multi_after(dx_reactor *r, dx_op *op, uintptr_t fd, dx_reactor_action act) {
    int e;
    (void)fd;
    if (act != DX_REACTOR_REARM || op->state != DX_OP_STATE_IDLE) return;
    if (op->res <= 0 || !(op->iflags & DXI_REACTOR_IF_ARMED) || op->kind != DX_OP_KIND_POLL) {
        dx_reactor_submit(r, op, op->cb, op->user);
        return;
    }
    op->state = DX_OP_STATE_ACTIVE;
    r->stats.active++;
    e = dxi_reactor_arm(r, op);
    if (e) dxi_reactor_done_errno(r, op, e);
}
#endif

/* ---- epoll (Linux): edge-triggered, each fd added once for its lifetime ---- */

#if defined(DXI_REACTOR_HAS_EPOLL)
/* struct epoll_event is packed on x86-64 (12 bytes); a compiler that drops
   glibc's __attribute__((packed)) (tcc) would misplace data, so the bytes
   are written and read here at the kernel's offsets. */
#if defined(__x86_64__)
#define DXI_REACTOR_EPOLL_SIZE 12
#define DXI_REACTOR_EPOLL_DATA 4
#else
#define DXI_REACTOR_EPOLL_SIZE sizeof(struct epoll_event)
#define DXI_REACTOR_EPOLL_DATA offsetof(struct epoll_event, data)
#endif
DXI_PRIVATE int dxi_reactor_epoll_ctl(int epfd, int op, int fd, uint32_t events) {
    uint64_t buf[3];
    uint64_t data = (uint64_t)fd;
    DX_MEMSET(buf, 0, sizeof buf);
    DX_MEMCPY(buf, &events, 4);
    DX_MEMCPY((uint8_t *)buf + DXI_REACTOR_EPOLL_DATA, &data, 8);
    return epoll_ctl(epfd, op, fd, (struct epoll_event *)(void *)buf);
}

DXI_PRIVATE int dxi_epoll_watch(dx_reactor *r, int fd, dxi_reactor_slot *s) {
    if (s->registered || (!s->rd && !s->wr && !s->ms)) return 0;
    if (dxi_reactor_epoll_ctl(r->be.epoll.fd, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET) != 0 && errno != EEXIST) return errno;
    s->registered = 1;
    return 0;
}

DXI_PRIVATE dx_result dxi_epoll_wait(dx_reactor *r, int64_t timeout_ns) {
    uint64_t raw[256 * 2]; /* 256 events of at most 16 bytes */
    int n, i;
    r->stats.enters++;
    n = epoll_wait(r->be.epoll.fd, (struct epoll_event *)(void *)raw, 256, dxi_reactor_ms(timeout_ns));
    if (n < 0) return errno == EINTR ? DX_OK : dxi_reactor_map(errno);
    for (i = 0; i < n; i++) {
        const uint8_t *ev = (const uint8_t *)raw + (size_t)i * DXI_REACTOR_EPOLL_SIZE;
        uint64_t data;
        uint32_t e;
        int fd;
        DX_MEMCPY(&e, ev, 4);
        DX_MEMCPY(&data, ev + DXI_REACTOR_EPOLL_DATA, 8);
        fd = (int)data;
        if (fd == r->wake_rfd) {
            dxi_reactor_wake_drain(r);
            continue;
        }
        if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ((dxi_reactor_slot *)r->slots)[fd].rd_hup = 1;
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) dxi_reactor_ready(r, fd, 0);
        if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) dxi_reactor_ready(r, fd, 1);
        if (((dxi_reactor_slot *)r->slots)[fd].ms) /* edge-triggered: e is the fd's state at this wake-up */
            dxi_reactor_ready_polls(r, fd, ((e & EPOLLIN) ? (uint32_t)DX_OP_POLL_IN : 0u) | ((e & EPOLLOUT) ? (uint32_t)DX_OP_POLL_OUT : 0u) |
                                           ((e & EPOLLERR) ? (uint32_t)DX_OP_POLL_ERR : 0u) | ((e & EPOLLHUP) ? (uint32_t)DX_OP_POLL_HUP : 0u) |
                                           ((e & EPOLLRDHUP) ? DXI_REACTOR_EDGE_RDHUP : 0u));
    }
    return DX_OK;
}

DXI_PRIVATE void dxi_epoll_deinit(dx_reactor *r) {
    if (r->be.epoll.fd >= 0) close(r->be.epoll.fd);
    r->be.epoll.fd = -1;
    dxi_reactor_posix_deinit(r);
}

DXI_PRIVATE dx_result dxi_epoll_init(dx_reactor *r, const dx_reactor_config *cfg) {
    dx_result rc;
    (void)cfg;
    r->be.epoll.fd = -1;
    rc = dxi_reactor_posix_init(r);
    if (rc != DX_OK) return rc;
    r->be.epoll.fd = epoll_create1(EPOLL_CLOEXEC);
    if (r->be.epoll.fd < 0) return dxi_reactor_map(errno);
    if (dxi_reactor_epoll_ctl(r->be.epoll.fd, EPOLL_CTL_ADD, r->wake_rfd, EPOLLIN) != 0) return dxi_reactor_map(errno);
    return DX_OK;
}

DXI_PRIVATE const dxi_reactor_vtable *dxi_epoll_vtable(void) {
    static const dxi_reactor_vtable vt = {
        DX_REACTOR_BACKEND_EPOLL, DXI_REACTOR_VT_EDGES, dxi_reactor_slots_size, dxi_epoll_init, dxi_epoll_deinit,
        dxi_reactor_ready_start, dxi_reactor_ready_cancel, dxi_epoll_wait, dxi_reactor_posix_wake,
        NULL /* now: the OS clock */, dxi_reactor_posix_fd_forget, NULL /* peek */, dxi_reactor_ready_multi_after,
        NULL, NULL, NULL /* bufrings: the core's free list */, dxi_epoll_watch};
    return &vt;
}
#endif

/* ---- poll() (POSIX): the fds with waiting ops, rebuilt each turn; a fallback, O(fds) per turn ---- */

#if defined(DXI_REACTOR_HAS_POLL)
/* The waiters on fd changed: keep fd in the list of fds to poll while it has any. */
DXI_PRIVATE int dxi_poll_watch(dx_reactor *r, int fd, dxi_reactor_slot *s) {
    int want = s->rd || s->wr || s->ms;
    if (want && s->pidx == 0) {
        r->be.poll.list[r->be.poll.count++] = fd;
        s->pidx = (int32_t)r->be.poll.count;
    } else if (!want && s->pidx > 0) { /* swap with the last */
        int32_t last = r->be.poll.list[--r->be.poll.count];
        r->be.poll.list[s->pidx - 1] = last;
        ((dxi_reactor_slot *)r->slots)[last].pidx = s->pidx;
        s->pidx = 0;
    }
    return 0;
}

DXI_PRIVATE dx_result dxi_poll_wait(dx_reactor *r, int64_t timeout_ns) {
    struct pollfd *p = (struct pollfd *)r->be.poll.pfds;
    uint32_t i, n = r->be.poll.count;
    int rc;
    dxi_reactor_slot *slots = (dxi_reactor_slot *)r->slots;
    for (i = 0; i < n; i++) {
        int fd = r->be.poll.list[i];
        p[i].fd = fd;
        p[i].events = (short)((slots[fd].rd ? POLLIN : 0) | (slots[fd].wr ? POLLOUT : 0));
        if (slots[fd].ms) {
            int w = dxi_reactor_poll_wants(&slots[fd]);
            p[i].events = (short)(p[i].events | ((w & 1) ? POLLIN : 0) | ((w & 2) ? POLLOUT : 0));
        }
        p[i].revents = 0;
    }
    p[n].fd = r->wake_rfd;
    p[n].events = POLLIN;
    p[n].revents = 0;
    r->stats.enters++;
    rc = poll(p, (nfds_t)(n + 1), dxi_reactor_ms(timeout_ns));
    if (rc < 0) return errno == EINTR ? DX_OK : dxi_reactor_map(errno);
    if (p[n].revents) dxi_reactor_wake_drain(r);
    for (i = 0; i < n && rc > 0; i++) { /* p[] is a snapshot: the list may change as ops complete */
        short e = p[i].revents;
        if (!e) continue;
        rc--;
        if (e & POLLNVAL) { /* closed behind our back: fail the waiters */
            dxi_reactor_slot *s = slots + p[i].fd;
            while (s->rd) { dx_op *op = s->rd; dxi_reactor_unlink(&s->rd, &s->rd_tail, op); dxi_reactor_done_errno(r, op, EBADF); }
            while (s->wr) { dx_op *op = s->wr; dxi_reactor_unlink(&s->wr, &s->wr_tail, op); dxi_reactor_done_errno(r, op, EBADF); }
            while (s->ms) { dx_op *op = s->ms; dxi_reactor_poll_unlink(s, op); dxi_reactor_done_errno(r, op, EBADF); }
            dxi_poll_watch(r, p[i].fd, s);
            continue;
        }
        if (e & (POLLIN | POLLHUP | POLLERR)) dxi_reactor_ready(r, p[i].fd, 0);
        if (e & (POLLOUT | POLLHUP | POLLERR)) dxi_reactor_ready(r, p[i].fd, 1);
        if (slots[p[i].fd].ms) dxi_reactor_ready_polls(r, p[i].fd, 0); /* level only: EDGE polls are level here */
    }
    return DX_OK;
}

/* Memory: the fd table, then the pollfd array (max_fds + 1: the last for the wake fd), then the fd list. */
DXI_PRIVATE uint64_t dxi_poll_pfds_size(uint32_t max_fds) { return (((uint64_t)max_fds + 1) * sizeof(struct pollfd) + 7u) & ~(uint64_t)7u; }
DXI_PRIVATE uint64_t dxi_poll_memory_size(uint32_t max_fds) {
    return dxi_reactor_slots_size(max_fds) + dxi_poll_pfds_size(max_fds) + (((uint64_t)max_fds * sizeof(int32_t) + 7u) & ~(uint64_t)7u);
}

DXI_PRIVATE dx_result dxi_poll_init(dx_reactor *r, const dx_reactor_config *cfg) {
    uint8_t *mem = (uint8_t *)r->memory + (size_t)dxi_reactor_slots_size(r->max_fds);
    dx_result rc;
    (void)cfg;
    rc = dxi_reactor_posix_init(r);
    if (rc != DX_OK) return rc;
    r->be.poll.pfds = mem;
    r->be.poll.list = (int32_t *)(void *)(mem + (size_t)dxi_poll_pfds_size(r->max_fds));
    r->be.poll.count = 0;
    return DX_OK;
}

DXI_PRIVATE void dxi_poll_deinit(dx_reactor *r) {
    r->be.poll.pfds = NULL;
    r->be.poll.list = NULL;
    r->be.poll.count = 0;
    dxi_reactor_posix_deinit(r);
}

DXI_PRIVATE const dxi_reactor_vtable *dxi_poll_vtable(void) {
    static const dxi_reactor_vtable vt = {
        DX_REACTOR_BACKEND_POLL, 0, dxi_poll_memory_size, dxi_poll_init, dxi_poll_deinit,
        dxi_reactor_ready_start, dxi_reactor_ready_cancel, dxi_poll_wait, dxi_reactor_posix_wake,
        NULL /* now: the OS clock */, dxi_reactor_posix_fd_forget, NULL /* peek */, NULL /* multi_after */,
        NULL, NULL, NULL /* bufrings: the core's free list */, dxi_poll_watch};
    return &vt;
}
#endif

/* ---- kqueue (FreeBSD, macOS, OpenBSD, NetBSD): filters added once per fd, changes batched into the wait ----
   Written from the FreeBSD and macOS kqueue(2) manual pages. A readiness
   backend like epoll (the readiness section's start and cancel): an op tries
   its system call first and waits in the fd table on EAGAIN.
   - EVFILT_READ is added with EV_CLEAR (reported again on each arrival, like
     edge-triggered epoll) when an fd first has a reader, and kept for the
     fd's lifetime: "Calling close() on a file descriptor will remove any
     kevents that reference the descriptor", so a closed number starts anew.
   - EVFILT_WRITE is added when a writer waits, with EV_CLEAR and EV_DISPATCH
     ("Disable the event source immediately after delivery"): a socket that
     nobody is writing to does not wake the loop each time acknowledgements
     free send space. The next writer adds it again ("Adding an event
     automatically enables it"); a disabled event's filter keeps running, so
     space that came while it was off is reported. Without EV_DISPATCH in
     <sys/event.h> it stays enabled (EV_CLEAR only).
   - Every change waits in a changelist that goes into the kevent() call that
     waits: no system call of its own, unless the list fills up within one
     turn (then one kevent() applies it, with EV_RECEIPT so that it takes no
     pending event). A change's error comes back as an EV_ERROR event (data:
     the errno; the event list is longer than the changelist, so every error
     has room) and fails the ops waiting for that filter.
   - EV_EOF (the peer shut down its side: half-close, reset, refused connect)
     needs no case of its own: the waiting op's system call returns what is
     left, then 0 (end of stream) or the error (fflags holds it too).
   - Wake: EVFILT_USER with NOTE_TRIGGER, EV_CLEAR (FreeBSD, macOS, NetBSD 10,
     DragonFly); where <sys/event.h> has no EVFILT_USER (OpenBSD) a pipe, its
     read end added with EVFILT_READ.
   - Timers: the loop's heap bounds kevent()'s timeout (a timespec: ns, no
     rounding), as on every backend; no EVFILT_TIMER.
   On Linux, DX_REACTOR_KQUEUE_LIBKQUEUE builds this section over libkqueue
   (an emulation on epoll), which is how tests/cross.sh runs the conformance
   suite on it; the code follows the manual pages, not libkqueue. Where
   libkqueue (f966089) differs from the kernels, and what this code does:
   - close() does not remove an fd's kevents there (libkqueue cannot see it),
     and a new file under the same number never reports: with
     DX_REACTOR_KQUEUE_LIBKQUEUE only, the loop deletes an fd's filters
     (EV_DELETE, one kevent()) before it closes the fd.
   - It fills an EV_EOF event's fflags by reading SO_ERROR, which clears the
     error on Linux: a reset would read as an end of stream, a refused
     connect as connected. The error is taken from fflags, as the manual
     pages describe it (dxi_kqueue_ready_error), on every system; on the
     kernels the system call reports it first and this is a no-op. An error
     that arrives while no op waits on the fd is lost there (the kernels
     keep it for the next call).
   - EV_ADD of an existing event that EV_DISPATCH disabled does not enable it
     there: the write filter is added with EV_ADD | EV_ENABLE (redundant on
     the kernels).
   - A closed kqueue's own fds are released later, by its monitoring thread
     (the tests wait for it with libkqueue_drain_pending_close before counting
     fds). */

#if defined(DXI_REACTOR_HAS_KQUEUE)
#ifndef DXI_REACTOR_KQUEUE_CHANGES
#define DXI_REACTOR_KQUEUE_CHANGES 64 /* changes batched before they need a kevent() of their own */
#endif
#define DXI_REACTOR_KQUEUE_EVENTS (2 * DXI_REACTOR_KQUEUE_CHANGES) /* per wait: room for every change's error, and events */
/* What this <sys/event.h> offers beyond the first kqueue's EV_ADD, EV_DELETE,
   EV_CLEAR, EV_EOF, EV_ERROR. DXI_REACTOR_KQUEUE_BASIC (tests only) uses
   none of it, as on a system without them: OpenBSD has no EVFILT_USER. */
#if defined(EV_DISPATCH) && !defined(DXI_REACTOR_KQUEUE_BASIC)
#define DXI_REACTOR_KQUEUE_DISPATCH EV_DISPATCH
#else
#define DXI_REACTOR_KQUEUE_DISPATCH 0
#endif
#if defined(EV_RECEIPT) && !defined(DXI_REACTOR_KQUEUE_BASIC)
#define DXI_REACTOR_KQUEUE_RECEIPT EV_RECEIPT
#endif
#if defined(EVFILT_USER) && defined(NOTE_TRIGGER) && !defined(DXI_REACTOR_KQUEUE_BASIC)
#define DXI_REACTOR_KQUEUE_USER 1
#endif
/* libkqueue cannot see close(): its kevents outlive the fd, and a new file
   with the same number never reports (the manual pages: "Calling close() on a
   file descriptor will remove any kevents that reference the descriptor").
   There, an fd's filters are deleted before the loop closes it. */
#if DXI_REACTOR_LINUX && defined(DX_REACTOR_KQUEUE_LIBKQUEUE)
#define DXI_REACTOR_KQUEUE_DELETE_ON_CLOSE 1
#endif
enum { /* dxi_reactor_slot.registered on kqueue */
    DXI_KQUEUE_RD = 1, /* EVFILT_READ added (for the fd's lifetime) */
    DXI_KQUEUE_WR = 2, /* EVFILT_WRITE added and enabled (until delivered, with EV_DISPATCH) */
    DXI_KQUEUE_WR_ADDED = 4 /* EVFILT_WRITE added, enabled or not */
};
enum { DXI_KQUEUE_F_READ, DXI_KQUEUE_F_WRITE, DXI_KQUEUE_F_USER };
#if defined(__NetBSD__) /* kevent()'s list lengths: size_t on NetBSD, int elsewhere */
#define DXI_KQUEUE_N(n) ((size_t)(n))
#else
#define DXI_KQUEUE_N(n) ((int)(n))
#endif

/* Fills one change. The filter constants are assigned as they are: their
   type differs between systems (short; uint32_t on NetBSD). */
DXI_PRIVATE void dxi_kqueue_set(struct kevent *k, uintptr_t ident, int filter, unsigned flags, unsigned fflags) {
    DX_MEMSET(k, 0, sizeof *k); /* udata, and FreeBSD's ext[] */
    k->ident = ident;
    if (filter == DXI_KQUEUE_F_READ) k->filter = EVFILT_READ;
    else if (filter == DXI_KQUEUE_F_WRITE) k->filter = EVFILT_WRITE;
#if defined(DXI_REACTOR_KQUEUE_USER)
    else k->filter = EVFILT_USER;
#endif
    k->flags = (unsigned short)flags;
    k->fflags = fflags;
}

/* A change for ident's filter failed with errno e: the ops waiting for it fail too. */
DXI_PRIVATE void dxi_kqueue_fail(dx_reactor *r, uintptr_t ident, int write, int e) {
    dxi_reactor_slot *s;
    dx_op **head, **tail;
    if (ident >= r->max_fds) return;
    s = (dxi_reactor_slot *)r->slots + ident;
    head = write ? &s->wr : &s->rd, tail = write ? &s->wr_tail : &s->rd_tail;
    s->registered &= ~(uint32_t)(write ? DXI_KQUEUE_WR | DXI_KQUEUE_WR_ADDED : DXI_KQUEUE_RD);
    while (*head) {
        dx_op *op = *head;
        dxi_reactor_unlink(head, tail, op);
        dxi_reactor_done_errno(r, op, e);
    }
    while (s->ms) { /* the polls too: the fd cannot be watched */
        dx_op *op = s->ms;
        dxi_reactor_poll_unlink(s, op);
        dxi_reactor_done_errno(r, op, e);
    }
}

DXI_PRIVATE void dxi_kqueue_fail_changes(dx_reactor *r, int n, int e) {
    const struct kevent *c = (const struct kevent *)r->be.kqueue.changes;
    int i;
    r->be.kqueue.nchanges = 0;
    for (i = 0; i < n; i++) dxi_kqueue_fail(r, c[i].ident, c[i].filter == EVFILT_WRITE, e); /* queues no change */
}

/* dxi_reactor_ready for an EV_EOF event that carries the socket's error in
   fflags (the manual pages: "returns the socket error (if any) in fflags"):
   the first op that does not see the error from its own system call gets it,
   that is a read that finds the end of the stream (0) or a connect whose
   SO_ERROR reads 0. On the kernels the system call reports the error itself
   (so_error stays set) and this changes nothing; libkqueue fills fflags by
   reading SO_ERROR, which clears it on Linux, so a reset would read as an
   end of stream and a refused connect as connected. */
DXI_PRIVATE void dxi_kqueue_ready_error(dx_reactor *r, int fd, int write, int err) {
    dxi_reactor_slot *s = (dxi_reactor_slot *)r->slots + fd;
    dx_op **head = write ? &s->wr : &s->rd, **tail = write ? &s->wr_tail : &s->rd_tail;
    if (!write) s->rd_short = 0;
    while (*head) {
        dx_op *op = *head;
        int64_t n = dxi_reactor_io(op);
        if (err && n == 0 && op->kind != DX_OP_KIND_SEND && op->kind != DX_OP_KIND_SENDV && op->kind != DX_OP_KIND_WRITE) {
            n = -(int64_t)err; /* a read's end of stream, a connect's success: the error comes first */
            err = 0;
        } else if (n < 0 && n != -(int64_t)EAGAIN) {
            err = 0; /* the system call reported it */
        }
        if (op->kind == DX_OP_KIND_RECV) dxi_reactor_note_recv(r, op, n);
        if (n == -(int64_t)EAGAIN) break;
        dxi_reactor_unlink(head, tail, op);
        if (n < 0) dxi_reactor_done_errno(r, op, (int)-n);
        else dxi_reactor_done(r, op, n, 0);
    }
    r->vt->watch(r, fd, s);
}

/* One event from kevent(): a change's error, the wake, or readiness. */
DXI_PRIVATE void dxi_kqueue_event(dx_reactor *r, const struct kevent *ev) {
    int write = ev->filter == EVFILT_WRITE;
    if (ev->flags & EV_ERROR) { /* a change's result: data is its errno (0: EV_RECEIPT's success) */
        if (ev->data != 0) dxi_kqueue_fail(r, ev->ident, write, (int)ev->data);
        return;
    }
#if defined(DXI_REACTOR_KQUEUE_USER)
    if (ev->filter == EVFILT_USER) {
        dxi_reactor_woken(r);
        return;
    }
#else
    if (ev->filter == EVFILT_READ && r->wake_rfd >= 0 && ev->ident == (uintptr_t)r->wake_rfd) {
        dxi_reactor_wake_drain(r);
        return;
    }
#endif
    if (ev->ident >= r->max_fds || (!write && ev->filter != EVFILT_READ)) return;
#if DXI_REACTOR_KQUEUE_DISPATCH
    if (write) ((dxi_reactor_slot *)r->slots)[ev->ident].registered &= ~(uint32_t)DXI_KQUEUE_WR; /* disabled now */
#endif
    if (!write && (ev->flags & (EV_EOF | EV_ERROR))) /* the peer's FIN came (with data, perhaps): no edge will follow a short read */
        ((dxi_reactor_slot *)r->slots)[ev->ident].rd_hup = 1;
    if ((ev->flags & EV_EOF) && ev->fflags != 0) dxi_kqueue_ready_error(r, (int)ev->ident, write, (int)ev->fflags);
    else dxi_reactor_ready(r, (int)ev->ident, write);
    if (((dxi_reactor_slot *)r->slots)[ev->ident].ms) { /* EDGE polls: the filter's news (EV_CLEAR: a new arrival, freed space) */
        uint32_t edge = write ? (uint32_t)DX_OP_POLL_OUT : (uint32_t)DX_OP_POLL_IN;
        if (ev->flags & EV_EOF) edge |= write ? (uint32_t)DX_OP_POLL_HUP : DXI_REACTOR_EDGE_RDHUP; /* the peer shut down (its side, or all) */
        if ((ev->flags & EV_EOF) && ev->fflags != 0) edge |= (uint32_t)DX_OP_POLL_ERR;
        dxi_reactor_ready_polls(r, (int)ev->ident, edge);
    }
}

/* The changelist is full: one kevent() of its own applies it. With
   EV_RECEIPT every change reports its result in the event list and no
   pending event is taken ("useful for making bulk changes to a kqueue without
   draining any pending events"); without it, events that come back are
   handled here (their changes go into the emptied list). */
DXI_PRIVATE void dxi_kqueue_flush(dx_reactor *r) {
    struct kevent ev[DXI_REACTOR_KQUEUE_CHANGES];
    struct kevent *c = (struct kevent *)r->be.kqueue.changes;
    struct timespec zero;
    int n = (int)r->be.kqueue.nchanges, got, i;
    zero.tv_sec = 0;
    zero.tv_nsec = 0;
#if defined(DXI_REACTOR_KQUEUE_RECEIPT)
    for (i = 0; i < n; i++) c[i].flags |= DXI_REACTOR_KQUEUE_RECEIPT;
#endif
    do {
        r->stats.enters++;
        got = kevent(r->be.kqueue.fd, c, DXI_KQUEUE_N(n), ev, DXI_KQUEUE_N(n), &zero); /* adding again is harmless after EINTR */
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        dxi_kqueue_fail_changes(r, n, errno);
        return;
    }
    r->be.kqueue.nchanges = 0;
    for (i = 0; i < got; i++) dxi_kqueue_event(r, &ev[i]);
}

DXI_PRIVATE void dxi_kqueue_change(dx_reactor *r, int fd, int filter, unsigned flags) {
    while (r->be.kqueue.nchanges >= DXI_REACTOR_KQUEUE_CHANGES) dxi_kqueue_flush(r);
    dxi_kqueue_set((struct kevent *)r->be.kqueue.changes + r->be.kqueue.nchanges++, (uintptr_t)fd, filter, flags, 0);
}

/* The ops waiting on fd changed: add the filters they need (batched into the next wait). */
DXI_PRIVATE int dxi_kqueue_watch(dx_reactor *r, int fd, dxi_reactor_slot *s) {
    int polls = s->ms ? dxi_reactor_poll_wants(s) : 0; /* 1: a poll wants the read filter, 2: the write filter */
    if ((s->rd || (polls & 1)) && !(s->registered & DXI_KQUEUE_RD)) {
        s->registered |= DXI_KQUEUE_RD;
        dxi_kqueue_change(r, fd, DXI_KQUEUE_F_READ, EV_ADD | EV_CLEAR);
    }
    if ((s->wr || (polls & 2)) && !(s->registered & DXI_KQUEUE_WR)) {
        s->registered |= DXI_KQUEUE_WR | DXI_KQUEUE_WR_ADDED;
        /* EV_ENABLE: the manual pages need only EV_ADD ("Adding an event
           automatically enables it"); libkqueue does not enable an existing,
           dispatched event on EV_ADD alone */
        dxi_kqueue_change(r, fd, DXI_KQUEUE_F_WRITE, EV_ADD | EV_ENABLE | EV_CLEAR | DXI_REACTOR_KQUEUE_DISPATCH);
    }
    return 0; /* a change's error fails its ops when it comes back */
}

DXI_PRIVATE dx_result dxi_kqueue_wait(dx_reactor *r, int64_t timeout_ns) {
    struct kevent ev[DXI_REACTOR_KQUEUE_EVENTS];
    struct timespec ts, *tp = NULL;
    int n, i, nchanges = (int)r->be.kqueue.nchanges;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000);
        ts.tv_nsec = (long)(timeout_ns % 1000000000);
        tp = &ts;
    }
    r->stats.enters++;
    n = kevent(r->be.kqueue.fd, (const struct kevent *)r->be.kqueue.changes, DXI_KQUEUE_N(nchanges), ev,
               DXI_KQUEUE_N(DXI_REACTOR_KQUEUE_EVENTS), tp);
    if (n < 0) {
        int e = errno;
        if (e == EINTR) return DX_OK; /* the changes stay queued: adding again is harmless */
        dxi_kqueue_fail_changes(r, nchanges, e);
        return dxi_reactor_map(e);
    }
    r->be.kqueue.nchanges = 0;
    for (i = 0; i < n; i++) dxi_kqueue_event(r, &ev[i]);
    return DX_OK;
}

/* fd is about to be closed: its queued changes go, as the number may be reused before the next kevent(). */
DXI_PRIVATE void dxi_kqueue_drop(dx_reactor *r, uintptr_t fd) {
    struct kevent *c = (struct kevent *)r->be.kqueue.changes;
    uint32_t i, j = 0;
    for (i = 0; i < r->be.kqueue.nchanges; i++)
        if (c[i].ident != fd) c[j++] = c[i];
    r->be.kqueue.nchanges = j;
}

/* fd is about to be closed by the loop (dx_op_close, dx_reactor_fd_close). */
DXI_PRIVATE void dxi_kqueue_forget(dx_reactor *r, uintptr_t fd) {
    if (!r->be.kqueue.changes) return;
    dxi_kqueue_drop(r, fd);
#if defined(DXI_REACTOR_KQUEUE_DELETE_ON_CLOSE)
    if (fd < r->max_fds) {
        uint32_t reg = ((dxi_reactor_slot *)r->slots)[fd].registered;
        struct kevent del[2];
        int n = 0;
        if (reg & DXI_KQUEUE_RD) dxi_kqueue_set(&del[n++], fd, DXI_KQUEUE_F_READ, EV_DELETE, 0);
        if (reg & DXI_KQUEUE_WR_ADDED) dxi_kqueue_set(&del[n++], fd, DXI_KQUEUE_F_WRITE, EV_DELETE, 0);
        if (n) {
            r->stats.enters++;
            (void)kevent(r->be.kqueue.fd, del, DXI_KQUEUE_N(n), NULL, 0, NULL); /* an error leaves nothing to undo */
        }
    }
#endif
}

DXI_PRIVATE void dxi_kqueue_start(dx_reactor *r, dx_op *op) {
    if (op->kind == DX_OP_KIND_CLOSE) dxi_kqueue_forget(r, op->fd);
    dxi_reactor_ready_start(r, op);
}

DXI_PRIVATE void dxi_kqueue_fd_forget(dx_reactor *r, uintptr_t fd) {
    dxi_kqueue_forget(r, fd);
    dxi_reactor_posix_fd_forget(r, fd);
}

DXI_PRIVATE dx_result dxi_kqueue_wake(dx_reactor *r) {
#if defined(DXI_REACTOR_KQUEUE_USER)
    struct kevent k;
    if (r->be.kqueue.fd < 0) return DX_ERR_MISUSE;
    dxi_kqueue_set(&k, 0, DXI_KQUEUE_F_USER, 0, NOTE_TRIGGER); /* any thread: kevent() is a system call */
    if (kevent(r->be.kqueue.fd, &k, DXI_KQUEUE_N(1), NULL, 0, NULL) != 0) return dxi_reactor_map(errno);
    return DX_OK;
#else
    return dxi_reactor_posix_wake(r);
#endif
}

/* Memory: the fd table, then the changelist. */
DXI_PRIVATE uint64_t dxi_kqueue_memory_size(uint32_t max_fds) {
    return dxi_reactor_slots_size(max_fds) + (uint64_t)DXI_REACTOR_KQUEUE_CHANGES * sizeof(struct kevent);
}

DXI_PRIVATE dx_result dxi_kqueue_init(dx_reactor *r, const dx_reactor_config *cfg) {
    struct kevent k;
    (void)cfg;
    r->be.kqueue.fd = -1;
    r->be.kqueue.nchanges = 0;
    r->be.kqueue.changes = (uint8_t *)r->memory + (size_t)dxi_reactor_slots_size(r->max_fds);
    dxi_reactor_slots(r);
    r->be.kqueue.fd = kqueue();
    if (r->be.kqueue.fd < 0) return dxi_reactor_map(errno);
    fcntl(r->be.kqueue.fd, F_SETFD, FD_CLOEXEC); /* fork does not inherit a kqueue; exec would */
#if defined(DXI_REACTOR_KQUEUE_USER)
    dxi_kqueue_set(&k, 0, DXI_KQUEUE_F_USER, EV_ADD | EV_CLEAR, 0);
#else
    {
        int e = dxi_reactor_wake_fds(r);
        if (e) return dxi_reactor_map(e);
    }
    dxi_kqueue_set(&k, (uintptr_t)r->wake_rfd, DXI_KQUEUE_F_READ, EV_ADD | EV_CLEAR, 0);
#endif
    if (kevent(r->be.kqueue.fd, &k, DXI_KQUEUE_N(1), NULL, 0, NULL) != 0) return dxi_reactor_map(errno);
    return DX_OK;
}

DXI_PRIVATE void dxi_kqueue_deinit(dx_reactor *r) {
    if (r->be.kqueue.fd >= 0) close(r->be.kqueue.fd);
    r->be.kqueue.fd = -1;
    r->be.kqueue.changes = NULL;
    r->be.kqueue.nchanges = 0;
    dxi_reactor_posix_deinit(r);
}

DXI_PRIVATE const dxi_reactor_vtable *dxi_kqueue_vtable(void) {
    static const dxi_reactor_vtable vt = {
        DX_REACTOR_BACKEND_KQUEUE, DXI_REACTOR_VT_EDGES, dxi_kqueue_memory_size, dxi_kqueue_init, dxi_kqueue_deinit,
        dxi_kqueue_start, dxi_reactor_ready_cancel, dxi_kqueue_wait, dxi_kqueue_wake,
        NULL /* now: the OS clock */, dxi_kqueue_fd_forget, NULL /* peek */, dxi_reactor_ready_multi_after,
        NULL, NULL, NULL /* bufrings: the core's free list */, dxi_kqueue_watch};
    return &vt;
}
#endif

/* ---- IOCP (Windows): completion-native, like io_uring ----
   Sockets are SOCKETs and files HANDLEs, both in op->fd. Every I/O op carries
   its OVERLAPPED in op->priv (the first 32 bytes), so a completion packet
   leads back to its op with no lookup. A handle is tied to the loop's port
   the first time an op starts on it (CreateIoCompletionPort; a second call
   fails with ERROR_INVALID_PARAMETER, which is how "already tied" is read),
   and then gets FILE_SKIP_COMPLETION_PORT_ON_SUCCESS where that is safe
   (files always; sockets when their provider hands out IFS handles, checked
   once at init): an op that succeeds at once completes inline, with no
   packet. Ops in the kernel sit in one list (be.iocp.head) so that close can
   cancel them (CancelIoEx) and wait for their packets before it closes.
   Accepts borrow one of DXI_IOCP_ACCEPTS address buffers in the loop's
   memory (AcceptEx writes both addresses there). */
#if defined(DXI_REACTOR_HAS_IOCP)
#ifndef DXI_IOCP_ACCEPTS
#define DXI_IOCP_ACCEPTS 64 /* accepts in flight at once, per loop */
#endif
#define DXI_IOCP_ADDRBUF 96 /* AcceptEx: 2 * (sizeof(SOCKADDR_IN6) + 16) rounded up */
#define DXI_IOCP_KEY_IO 0
#define DXI_IOCP_KEY_WAKE 1
#ifndef FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
#define FILE_SKIP_COMPLETION_PORT_ON_SUCCESS 0x1
#define FILE_SKIP_SET_EVENT_ON_HANDLE 0x2
#endif
DX_STATIC_ASSERT(sizeof(OVERLAPPED) <= 4 * sizeof(uint64_t), dxi_iocp_overlapped_fits); /* priv.words[3..6]: after priv.multi */
DX_STATIC_ASSERT(sizeof(SOCKET) <= sizeof(uintptr_t), dxi_iocp_socket_fits);

typedef struct dxi_iocp_accept { /* one pending accept's scratch, in the loop's memory */
    SOCKET sock;                 /* the socket AcceptEx fills, INVALID_SOCKET when free */
    uint8_t addrs[DXI_IOCP_ADDRBUF];
} dxi_iocp_accept;

/* dx_op_poll: the AFD driver's poll request (IOCTL_AFD_POLL, the one wepoll
   and libuv use; not documented by Microsoft), with one socket.
   The driver writes its answer into the output buffer when the request
   completes, so it lives in the loop's memory, not on the stack: one of
   DXI_IOCP_POLLS, after the accepts' buffers. */
#ifndef DXI_IOCP_POLLS
#define DXI_IOCP_POLLS 256 /* polls in flight at once, per loop (32 bytes each on x64) */
#endif
#define DXI_IOCP_AFD_POLL 0x00012024u /* FILE_DEVICE_NETWORK << 12 | 9 << 2 | METHOD_BUFFERED */
enum { /* the AFD driver's poll events */
    DXI_AFD_RECEIVE = 0x1, DXI_AFD_SEND = 0x4, DXI_AFD_DISCONNECT = 0x8, DXI_AFD_ABORT = 0x10, DXI_AFD_LOCAL_CLOSE = 0x20,
    DXI_AFD_ACCEPT = 0x80, DXI_AFD_CONNECT_FAIL = 0x100
};
typedef struct dxi_iocp_poll {
    LARGE_INTEGER timeout;       /* INT64_MAX: none */
    ULONG count;                 /* sockets: 1; 0 marks a free entry */
    ULONG exclusive;             /* FALSE: other polls on the socket stay */
    HANDLE sock;                 /* the base socket (SIO_BASE_HANDLE) */
    ULONG events;                /* DXI_AFD_* asked for, then those that happened */
    LONG status;                 /* NTSTATUS */
} dxi_iocp_poll;

/* The OVERLAPPED lives in priv.words[3..6], so a recv_multi keeps its ring and held buffer in priv.multi. */
DX_INLINE OVERLAPPED *dxi_iocp_ov(dx_op *op) { return (OVERLAPPED *)(void *)&op->priv.words[3]; }
DX_INLINE dx_op *dxi_iocp_op_of(OVERLAPPED *ov) { return (dx_op *)(void *)((uint8_t *)ov - offsetof(dx_op, priv) - 3 * sizeof(uint64_t)); }

/* Windows and Winsock errors as dx results. */
DXI_PRIVATE dx_result dxi_iocp_map(DWORD e) {
    switch (e) {
    case 0: return DX_OK;
    case WSAECONNREFUSED: case ERROR_CONNECTION_REFUSED: return DX_REACTOR_ERR_REFUSED;
    case WSAECONNRESET: case WSAECONNABORTED: case ERROR_NETNAME_DELETED: case ERROR_CONNECTION_ABORTED: return DX_REACTOR_ERR_RESET;
    case WSAEADDRINUSE: case WSAEADDRNOTAVAIL: case ERROR_ADDRESS_ALREADY_ASSOCIATED: return DX_REACTOR_ERR_ADDRINUSE;
    case WSAENETUNREACH: case WSAEHOSTUNREACH: case WSAENETDOWN: case ERROR_NETWORK_UNREACHABLE: case ERROR_HOST_UNREACHABLE:
        return DX_REACTOR_ERR_UNREACHABLE;
    case WSAEACCES: case ERROR_ACCESS_DENIED: return DX_REACTOR_ERR_DENIED;
    case WSAENOTSOCK: case WSAEBADF: case ERROR_INVALID_HANDLE: return DX_REACTOR_ERR_BADF;
    case WSAESHUTDOWN: case ERROR_BROKEN_PIPE: case ERROR_NO_DATA: return DX_ERR_CLOSED;
    case ERROR_OPERATION_ABORTED: case WSAEINTR: return DX_ERR_CANCELED; /* = WSA_OPERATION_ABORTED */
    case WSAETIMEDOUT: case ERROR_SEM_TIMEOUT: case WAIT_TIMEOUT: return DX_ERR_TIMEOUT;
    case ERROR_NOT_FOUND: case ERROR_FILE_NOT_FOUND: return DX_ERR_NOTFOUND;
    case WSAEWOULDBLOCK: return DX_ERR_AGAIN;
    case WSAEALREADY: case ERROR_BUSY: return DX_ERR_BUSY;
    case WSAENOBUFS: case ERROR_NOT_ENOUGH_MEMORY: case ERROR_OUTOFMEMORY: return DX_ERR_NOMEM;
    case WSAEMFILE: case ERROR_TOO_MANY_OPEN_FILES: return DX_ERR_LIMIT;
    case WSAEINVAL: case WSAEFAULT: case ERROR_INVALID_PARAMETER: return DX_ERR_INVAL;
    case WSAEOPNOTSUPP: case ERROR_NOT_SUPPORTED: case ERROR_INVALID_FUNCTION: return DX_ERR_UNSUPPORTED;
    default: return DX_ERR_OS;
    }
}

DXI_PRIVATE uint64_t dxi_iocp_memory_size(uint32_t max_fds) {
    (void)max_fds;
    return (uint64_t)DXI_IOCP_ACCEPTS * sizeof(dxi_iocp_accept) + (uint64_t)DXI_IOCP_POLLS * sizeof(dxi_iocp_poll);
}
DX_INLINE dxi_iocp_poll *dxi_iocp_polls(dx_reactor *r) {
    return (dxi_iocp_poll *)(void *)((uint8_t *)r->be.iocp.accepts + DXI_IOCP_ACCEPTS * sizeof(dxi_iocp_accept));
}

/* The loop's clock: QueryPerformanceCounter in ns (the frequency is read once). */
DXI_PRIVATE uint64_t dxi_iocp_now(dx_reactor *r) {
    LARGE_INTEGER c;
    uint64_t f = r->be.iocp.qpc_freq;
    QueryPerformanceCounter(&c);
    if (!f) return 0;
    return (uint64_t)c.QuadPart / f * 1000000000u + (uint64_t)c.QuadPart % f * 1000000000u / f;
}

/* The extension functions of a socket's provider (AcceptEx, ConnectEx, GetAcceptExSockaddrs). */
typedef void (*dxi_iocp_fn)(void);
DXI_PRIVATE dxi_iocp_fn dxi_iocp_ext(SOCKET s, GUID id) {
    dxi_iocp_fn fn = NULL;
    DWORD n = 0;
    if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof id, &fn, sizeof fn, &n, NULL, NULL) != 0) return NULL;
    return fn;
}

DXI_PRIVATE dx_result dxi_iocp_init(dx_reactor *r, const dx_reactor_config *cfg) {
    WSADATA wd;
    SOCKET s;
    LARGE_INTEGER f;
    dxi_iocp_accept *a = (dxi_iocp_accept *)r->memory;
    uint32_t i;
    GUID accept_ex = WSAID_ACCEPTEX, connect_ex = WSAID_CONNECTEX, addrs = WSAID_GETACCEPTEXSOCKADDRS;
    (void)cfg;
    if (!a) return DX_ERR_NOSPACE;
    if (WSAStartup(MAKEWORD(2, 2), &wd) != 0) return DX_ERR_UNSUPPORTED;
    r->be.iocp.wsa = true;
    QueryPerformanceFrequency(&f);
    r->be.iocp.qpc_freq = (uint64_t)f.QuadPart;
    for (i = 0; i < DXI_IOCP_ACCEPTS; i++) a[i].sock = INVALID_SOCKET;
    r->be.iocp.accepts = a;
    DX_MEMSET(dxi_iocp_polls(r), 0, DXI_IOCP_POLLS * sizeof(dxi_iocp_poll)); /* count 0: free */
    s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
    if (s == INVALID_SOCKET) return dxi_iocp_map((DWORD)WSAGetLastError());
    r->be.iocp.accept_ex = dxi_iocp_ext(s, accept_ex);
    r->be.iocp.connect_ex = dxi_iocp_ext(s, connect_ex);
    r->be.iocp.get_addrs = dxi_iocp_ext(s, addrs);
    {
        WSAPROTOCOL_INFOW pi;
        int len = sizeof pi;
        /* a layered provider without IFS handles may post a packet even for an op that succeeded at once */
        r->be.iocp.skip_sockets = getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *)&pi, &len) == 0 &&
                                  (pi.dwServiceFlags1 & XP1_IFS_HANDLES) != 0;
    }
    closesocket(s);
    if (!r->be.iocp.accept_ex || !r->be.iocp.connect_ex || !r->be.iocp.get_addrs) return DX_ERR_UNSUPPORTED;
    r->be.iocp.port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    if (!r->be.iocp.port) return dxi_iocp_map(GetLastError());
    r->features |= DX_REACTOR_FEAT_CANCEL_FD;
    return DX_OK;
}

DXI_PRIVATE void dxi_iocp_deinit(dx_reactor *r) {
    dxi_iocp_accept *a = (dxi_iocp_accept *)r->be.iocp.accepts;
    uint32_t i;
    if (a)
        for (i = 0; i < DXI_IOCP_ACCEPTS; i++)
            if (a[i].sock != INVALID_SOCKET) {
                closesocket(a[i].sock);
                a[i].sock = INVALID_SOCKET;
            }
    if (r->be.iocp.port) CloseHandle(r->be.iocp.port);
    if (r->be.iocp.wsa) WSACleanup();
    DX_MEMSET(&r->be.iocp, 0, sizeof r->be.iocp);
}

DXI_PRIVATE dx_result dxi_iocp_wake(dx_reactor *r) {
    if (!r->be.iocp.port) return DX_ERR_MISUSE;
    if (!PostQueuedCompletionStatus(r->be.iocp.port, 0, DXI_IOCP_KEY_WAKE, NULL)) return dxi_iocp_map(GetLastError());
    return DX_OK;
}

/* Ties h to the port once; returns whether an op that succeeds at once posts no packet. */
DXI_PRIVATE bool dxi_iocp_tie(dx_reactor *r, HANDLE h, bool sock) {
    bool skip = sock ? r->be.iocp.skip_sockets : true;
    if (CreateIoCompletionPort(h, r->be.iocp.port, DXI_IOCP_KEY_IO, 0)) {
        if (skip && !SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) skip = false;
        /* a handle whose mode could not be set would post packets: none skipped on it afterwards either */
        if (!skip && (sock ? r->be.iocp.skip_sockets : true)) r->be.iocp.noskip = h;
        return skip;
    }
    return skip && r->be.iocp.noskip != h;
}

DXI_PRIVATE bool dxi_iocp_is_socket(uintptr_t fd) {
    int type = 0, len = sizeof type;
    return getsockopt((SOCKET)fd, SOL_SOCKET, SO_TYPE, (char *)&type, &len) == 0;
}

/* The op is in the kernel: its packet (or an inline completion) comes later. */
DXI_PRIVATE void dxi_iocp_pending(dx_reactor *r, dx_op *op) {
    op->where = DXI_REACTOR_W_KERNEL;
    dxi_reactor_push(&r->be.iocp.head, &r->be.iocp.tail, op);
}

/* Finishes an op whose OVERLAPPED says how it ended (bytes, error). */
DXI_PRIVATE void dxi_iocp_finish(dx_reactor *r, dx_op *op, DWORD bytes, DWORD err) {
    dx_op *canceler = op->canceler;
    int64_t res = (int64_t)bytes;
    if (op->kind == DX_OP_KIND_ACCEPT) {
        dxi_iocp_accept *a = (dxi_iocp_accept *)r->be.iocp.accepts + op->offset;
        SOCKET ls = (SOCKET)op->fd, s = a->sock;
        a->sock = INVALID_SOCKET;
        if (!err && setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&ls, sizeof ls) != 0) err = (DWORD)WSAGetLastError();
        if (err) {
            closesocket(s);
        } else {
            res = (int64_t)s;
            if (op->buf && op->addr_len) {
                struct sockaddr *local = NULL, *remote = NULL;
                int llen = 0, rlen = 0;
                ((LPFN_GETACCEPTEXSOCKADDRS)r->be.iocp.get_addrs)(a->addrs, 0, DXI_IOCP_ADDRBUF / 2, DXI_IOCP_ADDRBUF / 2, &local, &llen,
                                                                  &remote, &rlen);
                if (remote && rlen > 0) {
                    DX_MEMCPY(op->buf, remote, (uint32_t)rlen < op->addr_len ? (size_t)rlen : op->addr_len);
                    op->addr_len = (uint32_t)rlen;
                }
            }
        }
        op->offset = 0;
    } else if (op->kind == DX_OP_KIND_CONNECT) {
        if (!err && setsockopt((SOCKET)op->fd, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0) != 0) err = (DWORD)WSAGetLastError();
        res = 0;
    } else if (op->kind == DX_OP_KIND_POLL) { /* the events that happened, as dx_op_poll's result */
        dxi_iocp_poll *pl = dxi_iocp_polls(r) + op->offset;
        ULONG ev = pl->events;
        res = 0;
        if (ev & (DXI_AFD_RECEIVE | DXI_AFD_ACCEPT | DXI_AFD_DISCONNECT)) res |= op->flags & DX_OP_POLL_IN;
        if (ev & DXI_AFD_SEND) res |= op->flags & DX_OP_POLL_OUT;
        if (ev & (DXI_AFD_DISCONNECT | DXI_AFD_ABORT)) res |= DX_OP_POLL_HUP;
        if (ev & (DXI_AFD_ABORT | DXI_AFD_CONNECT_FAIL)) res |= DX_OP_POLL_ERR;
        if (!err && (ev & DXI_AFD_LOCAL_CLOSE)) err = ERROR_OPERATION_ABORTED; /* closed under it */
        pl->count = 0;
        op->offset = 0;
    } else if (op->kind == DX_OP_KIND_READ && op->offset == DX_OP_OFFSET_CURRENT && !err) {
        LARGE_INTEGER d; /* the file position moves on, as read(2) would move it */
        d.QuadPart = (LONGLONG)bytes;
        SetFilePointerEx((HANDLE)op->fd, d, NULL, FILE_CURRENT);
    }
    if (err == ERROR_HANDLE_EOF || (err == ERROR_BROKEN_PIPE && (op->kind == DX_OP_KIND_READ || op->kind == DX_OP_KIND_RECV ||
                                                                 op->kind == DX_OP_KIND_RECVV)))
        err = 0, res = 0; /* the end of a file or pipe: a read of 0 bytes */
    if (op->kind == DX_OP_KIND_RECV_MULTI && (err || res == 0) && op->priv.multi.held) { /* no bytes: the buffer goes back now */
        dx_reactor_bufring *br = op->priv.multi.ring;
        br->free_ids[br->nfree++] = (uint16_t)(op->priv.multi.held - 1);
        op->priv.multi.held = 0;
    }
    op->canceler = NULL;
    if (err) dxi_reactor_done(r, op, dxi_iocp_map(err), (int32_t)err);
    else dxi_reactor_done(r, op, res, 0);
    if (canceler) dxi_reactor_done(r, canceler, 0, 0); /* reported after its target */
}

/* Close: the handle goes once no op of ours is in the kernel on it. */
DXI_PRIVATE bool dxi_iocp_busy(dx_reactor *r, uintptr_t fd) {
    dx_op *k;
    for (k = r->be.iocp.head; k; k = k->next)
        if (k->fd == fd) return true;
    return false;
}
DXI_PRIVATE DWORD dxi_iocp_close_handle(uintptr_t fd) {
    if (closesocket((SOCKET)fd) == 0) return 0;
    if (WSAGetLastError() != WSAENOTSOCK) return (DWORD)WSAGetLastError();
    return CloseHandle((HANDLE)fd) ? 0 : GetLastError();
}
DXI_PRIVATE void dxi_iocp_closes(dx_reactor *r) {
    dx_op *c = r->be.iocp.closing_head, *n;
    for (; c; c = n) {
        n = c->next;
        if (dxi_iocp_busy(r, c->fd)) continue;
        dxi_reactor_unlink(&r->be.iocp.closing_head, &r->be.iocp.closing_tail, c);
        {
            DWORD e = dxi_iocp_close_handle(c->fd);
            if (e) dxi_reactor_done(r, c, dxi_iocp_map(e), (int32_t)e);
            else dxi_reactor_done(r, c, 0, 0);
        }
    }
}

/* The vectors of a recvv/sendv as WSABUFs (captured by the call, so a stack array does). */
#define DXI_IOCP_MAXBUFS 64
DXI_PRIVATE DWORD dxi_iocp_bufs(const dx_op *op, WSABUF *b) {
    DWORD n = 0;
    if (op->kind == DX_OP_KIND_RECVV || op->kind == DX_OP_KIND_SENDV) {
        const dx_reactor_iovec *v = (const dx_reactor_iovec *)op->buf;
        size_t i;
        for (i = 0; i < op->len && n < DXI_IOCP_MAXBUFS; i++, n++) { /* more vectors: a shorter transfer, as with IOV_MAX */
            b[n].buf = (char *)v[i].base;
            b[n].len = v[i].len > 0x7fffffffu ? 0x7fffffffu : (ULONG)v[i].len;
        }
        return n;
    }
    b[0].buf = (char *)op->buf;
    b[0].len = op->len > 0x7fffffffu ? 0x7fffffffu : (ULONG)op->len;
    return 1;
}

DXI_PRIVATE void dxi_iocp_start(dx_reactor *r, dx_op *op) {
    OVERLAPPED *ov = dxi_iocp_ov(op);
    bool skip = false;
    BOOL ok = FALSE;
    DWORD err = 0;
    op->canceler = NULL;
    DX_MEMSET(ov, 0, sizeof *ov);
    switch (op->kind) {
    case DX_OP_KIND_CLOSE:
        if (dxi_iocp_busy(r, op->fd)) { /* cancel what is in the kernel first; close once its packets are in */
            CancelIoEx((HANDLE)op->fd, NULL);
            op->where = DXI_REACTOR_W_KERNEL;
            dxi_reactor_push(&r->be.iocp.closing_head, &r->be.iocp.closing_tail, op);
            return;
        }
        err = dxi_iocp_close_handle(op->fd);
        if (err) dxi_reactor_done(r, op, dxi_iocp_map(err), (int32_t)err);
        else dxi_reactor_done(r, op, 0, 0);
        return;
    case DX_OP_KIND_ACCEPT: {
        dxi_iocp_accept *a = (dxi_iocp_accept *)r->be.iocp.accepts;
        struct sockaddr_storage ss;
        int sl = sizeof ss;
        uint32_t i;
        DWORD got = 0;
        op->offset = DXI_IOCP_ACCEPTS; /* no buffer yet */
        for (i = 0; i < DXI_IOCP_ACCEPTS && a[i].sock != INVALID_SOCKET; i++) {}
        if (i == DXI_IOCP_ACCEPTS) {
            dxi_reactor_done(r, op, DX_ERR_LIMIT, 0);
            return;
        }
        if (getsockname((SOCKET)op->fd, (struct sockaddr *)&ss, &sl) != 0) {
            err = (DWORD)WSAGetLastError();
            break;
        }
        a[i].sock = WSASocketW(ss.ss_family, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        if (a[i].sock == INVALID_SOCKET) {
            err = (DWORD)WSAGetLastError();
            break;
        }
        op->offset = i;
        skip = dxi_iocp_tie(r, (HANDLE)op->fd, true);
        ok = ((LPFN_ACCEPTEX)r->be.iocp.accept_ex)((SOCKET)op->fd, a[i].sock, a[i].addrs, 0, DXI_IOCP_ADDRBUF / 2, DXI_IOCP_ADDRBUF / 2,
                                                   &got, ov);
        if (!ok) err = (DWORD)WSAGetLastError();
        break;
    }
    case DX_OP_KIND_CONNECT: {
        const struct sockaddr *sa = (const struct sockaddr *)op->buf;
        struct sockaddr_storage any;
        DX_MEMSET(&any, 0, sizeof any);
        any.ss_family = (short)sa->sa_family; /* ConnectEx wants a bound socket: any address, any port */
        if (bind((SOCKET)op->fd, (struct sockaddr *)&any, sa->sa_family == AF_INET6 ? (int)sizeof(struct sockaddr_in6) : (int)sizeof(struct sockaddr_in)) != 0 &&
            WSAGetLastError() != WSAEINVAL) { /* WSAEINVAL: bound already */
            err = (DWORD)WSAGetLastError();
            break;
        }
        skip = dxi_iocp_tie(r, (HANDLE)op->fd, true);
        ok = ((LPFN_CONNECTEX)r->be.iocp.connect_ex)((SOCKET)op->fd, sa, (int)op->len, NULL, 0, NULL, ov);
        if (!ok) err = (DWORD)WSAGetLastError();
        break;
    }
    case DX_OP_KIND_RECV_MULTI: { /* no multishot in the kernel: one recv into a free buffer of the ring per callback */
        dx_reactor_bufring *br = op->priv.multi.ring;
        uint32_t id;
        if (!br || !br->nfree) {
            dxi_reactor_done(r, op, DX_ERR_NOMEM, 0);
            return;
        }
        id = br->free_ids[--br->nfree];
        op->priv.multi.held = id + 1;
        op->buf = br->mem + (size_t)id * br->size;
        op->len = br->size;
    }
    /* fall through */
    case DX_OP_KIND_RECV: case DX_OP_KIND_RECVV: case DX_OP_KIND_SEND: case DX_OP_KIND_SENDV: {
        WSABUF b[DXI_IOCP_MAXBUFS];
        DWORD n = dxi_iocp_bufs(op, b), flags = 0;
        int rc;
        bool in = op->kind != DX_OP_KIND_SEND && op->kind != DX_OP_KIND_SENDV;
        if (!(op->iflags & DXI_REACTOR_IF_NOTSOCK)) {
            skip = dxi_iocp_tie(r, (HANDLE)op->fd, true);
            if (in) rc = WSARecv((SOCKET)op->fd, b, n, NULL, &flags, ov, NULL);
            else rc = WSASend((SOCKET)op->fd, b, n, NULL, 0, ov, NULL);
            ok = rc == 0;
            if (!ok) err = (DWORD)WSAGetLastError();
            if (err != WSAENOTSOCK) break;
            op->iflags |= DXI_REACTOR_IF_NOTSOCK; /* a pipe or a file: ReadFile and WriteFile, first buffer only */
            err = 0;
        }
        skip = dxi_iocp_tie(r, (HANDLE)op->fd, false);
        if (in) ok = ReadFile((HANDLE)op->fd, b[0].buf, b[0].len, NULL, ov);
        else ok = WriteFile((HANDLE)op->fd, b[0].buf, b[0].len, NULL, ov);
        if (!ok) err = GetLastError();
        break;
    }
    case DX_OP_KIND_READ: case DX_OP_KIND_WRITE: {
        DWORD n = op->len > 0x7fffffffu ? 0x7fffffffu : (DWORD)op->len;
        uint64_t off = op->offset;
        if (off == DX_OP_OFFSET_CURRENT) {
            LARGE_INTEGER z, pos;
            z.QuadPart = 0;
            if (op->kind == DX_OP_KIND_WRITE) off = UINT64_MAX; /* 0xffffffff:0xffffffff: at the end of the file */
            else off = SetFilePointerEx((HANDLE)op->fd, z, &pos, FILE_CURRENT) ? (uint64_t)pos.QuadPart : 0; /* pipes: ignored */
        }
        ov->Offset = (DWORD)off;
        ov->OffsetHigh = (DWORD)(off >> 32);
        skip = dxi_iocp_tie(r, (HANDLE)op->fd, false);
        if (op->kind == DX_OP_KIND_READ) ok = ReadFile((HANDLE)op->fd, op->buf, n, NULL, ov);
        else ok = WriteFile((HANDLE)op->fd, op->buf, n, NULL, ov);
        if (!ok) err = GetLastError();
        break;
    }
    case DX_OP_KIND_POLL: { /* sockets only: the AFD driver's poll, issued on the socket (its packet comes to this port) */
        dxi_iocp_poll *pl = dxi_iocp_polls(r);
        uint32_t i;
        DWORD got = 0;
        SOCKET base = (SOCKET)op->fd;
        if (!dxi_iocp_is_socket(op->fd)) { /* a pipe, a file: no readiness to ask for */
            dxi_reactor_done(r, op, DX_ERR_UNSUPPORTED, 0);
            return;
        }
        for (i = 0; i < DXI_IOCP_POLLS && pl[i].count; i++) {}
        if (i == DXI_IOCP_POLLS) {
            dxi_reactor_done(r, op, DX_ERR_LIMIT, 0);
            return;
        }
        if (WSAIoctl((SOCKET)op->fd, SIO_BASE_HANDLE, NULL, 0, &base, sizeof base, &got, NULL, NULL) != 0) base = (SOCKET)op->fd;
        pl += i;
        pl->timeout.QuadPart = INT64_MAX;
        pl->count = 1;
        pl->exclusive = FALSE;
        pl->sock = (HANDLE)base;
        pl->events = DXI_AFD_ABORT | DXI_AFD_CONNECT_FAIL | DXI_AFD_LOCAL_CLOSE; /* always, as poll() reports ERR and HUP */
        if (op->flags & DX_OP_POLL_IN) pl->events |= DXI_AFD_RECEIVE | DXI_AFD_ACCEPT | DXI_AFD_DISCONNECT;
        if (op->flags & DX_OP_POLL_OUT) pl->events |= DXI_AFD_SEND;
        pl->status = 0;
        op->offset = i;
        skip = dxi_iocp_tie(r, (HANDLE)op->fd, true);
        ok = DeviceIoControl((HANDLE)op->fd, DXI_IOCP_AFD_POLL, pl, sizeof *pl, pl, sizeof *pl, NULL, ov);
        if (!ok) err = GetLastError();
        break;
    }
    default:
        dxi_reactor_done(r, op, DX_ERR_INVAL, 0);
        return;
    }
    if (ok || err == ERROR_IO_PENDING || err == WSA_IO_PENDING) {
        if (ok && skip) { /* done at once, and no packet follows */
            dxi_iocp_finish(r, op, (DWORD)ov->InternalHigh, 0);
            return;
        }
        dxi_iocp_pending(r, op);
        return;
    }
    if (op->kind == DX_OP_KIND_ACCEPT && op->offset < DXI_IOCP_ACCEPTS) { /* AcceptEx failed at once: its socket goes */
        dxi_iocp_accept *a = (dxi_iocp_accept *)r->be.iocp.accepts + op->offset;
        closesocket(a->sock);
        a->sock = INVALID_SOCKET;
    }
    if (op->kind == DX_OP_KIND_POLL) dxi_iocp_polls(r)[op->offset].count = 0; /* the poll failed at once: its entry is free */
    if (op->kind != DX_OP_KIND_READ && op->kind != DX_OP_KIND_WRITE) op->offset = 0;
    if (op->kind == DX_OP_KIND_RECV_MULTI) {
        dxi_iocp_finish(r, op, 0, err);
        return;
    }
    if (err == ERROR_HANDLE_EOF || (err == ERROR_BROKEN_PIPE && op->kind != DX_OP_KIND_WRITE && op->kind != DX_OP_KIND_SEND &&
                                    op->kind != DX_OP_KIND_SENDV)) {
        dxi_reactor_done(r, op, 0, 0); /* the end of a file or pipe */
        return;
    }
    dxi_reactor_done(r, op, dxi_iocp_map(err), (int32_t)err);
}

/* A packet: the op's status is in its OVERLAPPED (an NTSTATUS); the Win32 or Winsock error comes from the overlapped result. */
DXI_PRIVATE void dxi_iocp_packet(dx_reactor *r, OVERLAPPED *ov, DWORD bytes) {
    dx_op *op = dxi_iocp_op_of(ov);
    DWORD err = 0;
    dxi_reactor_unlink(&r->be.iocp.head, &r->be.iocp.tail, op);
    if (ov->Internal != 0) { /* not STATUS_SUCCESS */
        DWORD b = 0, flags = 0;
        bool sock = op->kind != DX_OP_KIND_READ && op->kind != DX_OP_KIND_WRITE && !(op->iflags & DXI_REACTOR_IF_NOTSOCK);
        if (sock) {
            if (!WSAGetOverlappedResult((SOCKET)op->fd, ov, &b, FALSE, &flags)) err = (DWORD)WSAGetLastError();
        } else if (!GetOverlappedResult((HANDLE)op->fd, ov, &b, FALSE)) {
            err = GetLastError();
        }
        /* canceled, or the handle is gone (closed under it): what it was doing ended */
        if (ov->Internal == 0xC0000120u /* STATUS_CANCELLED */ || !err || err == WSAENOTSOCK || err == ERROR_INVALID_HANDLE)
            err = ERROR_OPERATION_ABORTED;
    }
    dxi_iocp_finish(r, op, bytes, err);
}

/* Milliseconds for a wait, rounded up (a timer never fires early: the core checks the deadline). */
DXI_PRIVATE DWORD dxi_iocp_ms(int64_t timeout_ns) {
    uint64_t ms;
    if (timeout_ns < 0) return INFINITE;
    ms = ((uint64_t)timeout_ns + 999999u) / 1000000u;
    return ms >= (uint64_t)INFINITE ? INFINITE - 1 : (DWORD)ms;
}

DXI_PRIVATE dx_result dxi_iocp_wait(dx_reactor *r, int64_t timeout_ns) {
    OVERLAPPED_ENTRY ev[64];
    ULONG n = 0, i;
    DWORD ms = dxi_iocp_ms(timeout_ns);
    r->stats.enters++;
    if (!GetQueuedCompletionStatusEx(r->be.iocp.port, ev, 64, &n, ms, FALSE)) {
        DWORD e = GetLastError();
        if (e != WAIT_TIMEOUT) return dxi_iocp_map(e);
        n = 0;
    }
    for (i = 0; i < n; i++) {
        if (ev[i].lpCompletionKey == DXI_IOCP_KEY_WAKE && !ev[i].lpOverlapped) {
            dxi_reactor_woken(r);
            continue;
        }
        if (ev[i].lpOverlapped) dxi_iocp_packet(r, ev[i].lpOverlapped, ev[i].dwNumberOfBytesTransferred);
    }
    if (r->be.iocp.closing_head) dxi_iocp_closes(r);
    return DX_OK;
}

/* Cancels a target in the kernel: it completes with DX_ERR_CANCELED (its packet), then op with 0. */
DXI_PRIVATE void dxi_iocp_cancel(dx_reactor *r, dx_op *op, dx_op *t) {
    if (t->kind == DX_OP_KIND_CLOSE || t->where != DXI_REACTOR_W_KERNEL) {
        dxi_reactor_done(r, op, t->kind == DX_OP_KIND_CLOSE ? DX_ERR_BUSY : DX_ERR_NOTFOUND, 0);
        return;
    }
    if (t->canceler) {
        dxi_reactor_done(r, op, DX_ERR_BUSY, 0);
        return;
    }
    if (!CancelIoEx((HANDLE)t->fd, dxi_iocp_ov(t))) {
        DWORD e = GetLastError(); /* ERROR_NOT_FOUND: it finished; its packet is on the way */
        dxi_reactor_done(r, op, e == ERROR_NOT_FOUND ? DX_ERR_NOTFOUND : dxi_iocp_map(e), e == ERROR_NOT_FOUND ? 0 : (int32_t)e);
        return;
    }
    op->where = DXI_REACTOR_W_NONE;
    t->canceler = op;
}

/* Before dx_reactor_fd_close: the ops in the kernel on fd end (their packets come in later turns). */
DXI_PRIVATE void dxi_iocp_fd_forget(dx_reactor *r, uintptr_t fd) {
    if (r->be.iocp.port && dxi_iocp_busy(r, fd)) CancelIoEx((HANDLE)fd, NULL);
}

DXI_PRIVATE const dxi_reactor_vtable *dxi_iocp_vtable(void) {
    static const dxi_reactor_vtable vt = {
        DX_REACTOR_BACKEND_IOCP, 0, dxi_iocp_memory_size, dxi_iocp_init, dxi_iocp_deinit,
        dxi_iocp_start, dxi_iocp_cancel, dxi_iocp_wait, dxi_iocp_wake,
        dxi_iocp_now, dxi_iocp_fd_forget, NULL /* peek */, NULL /* multi_after */,
        NULL, NULL, NULL /* bufrings: the core's free list */, NULL /* watch */};
    return &vt;
}
#endif

/* ---- custom: the user's backend (dx_reactor_custom in the config), through the same table ---- */

DXI_PRIVATE void dxi_custom_start(dx_reactor *r, dx_op *op) {
    const dx_reactor_custom *cv = r->be.custom.vt;
    op->where = DXI_REACTOR_W_CUSTOM;
    cv->start(r, op, cv->user);
}

DXI_PRIVATE void dxi_custom_cancel(dx_reactor *r, dx_op *op, dx_op *t) {
    const dx_reactor_custom *cv = r->be.custom.vt;
    dxi_reactor_done(r, op, t->where == DXI_REACTOR_W_CUSTOM ? cv->cancel(r, t, cv->user) : DX_ERR_NOTFOUND, 0);
}

DXI_PRIVATE dx_result dxi_custom_wait(dx_reactor *r, int64_t timeout_ns) {
    const dx_reactor_custom *cv = r->be.custom.vt;
    r->stats.enters++;
    return cv->wait(r, timeout_ns, cv->user);
}

DXI_PRIVATE dx_result dxi_custom_wake(dx_reactor *r) {
    const dx_reactor_custom *cv = r->be.custom.vt;
    return cv->wake ? cv->wake(r, cv->user) : DX_ERR_UNSUPPORTED;
}

DXI_PRIVATE uint64_t dxi_custom_now(dx_reactor *r) {
    const dx_reactor_custom *cv = r->be.custom.vt;
    return cv->now ? cv->now(r, cv->user) : dxi_reactor_os_clock();
}

DXI_PRIVATE dx_result dxi_custom_init(dx_reactor *r, const dx_reactor_config *cfg) {
    const dx_reactor_custom *cv = cfg->custom;
    if (!cv || !cv->start || !cv->wait || !cv->cancel) return DX_ERR_INVAL;
#if !DXI_REACTOR_POSIX && !defined(_WIN32)
    if (!cv->now) return DX_ERR_INVAL; /* no OS, no clock: the timers need one (Windows: IOCP's part brings one) */
#endif
    r->be.custom.vt = cv;
    return cv->init ? cv->init(r, cv->user) : DX_OK;
}

DXI_PRIVATE void dxi_custom_deinit(dx_reactor *r) {
    const dx_reactor_custom *cv = r->be.custom.vt;
    if (cv && cv->deinit) cv->deinit(r, cv->user);
    r->be.custom.vt = NULL;
}

DXI_PRIVATE const dxi_reactor_vtable *dxi_custom_vtable(void) {
    static const dxi_reactor_vtable vt = {
        DX_REACTOR_BACKEND_CUSTOM, 0, NULL /* memory: none */, dxi_custom_init, dxi_custom_deinit,
        dxi_custom_start, dxi_custom_cancel, dxi_custom_wait, dxi_custom_wake,
        dxi_custom_now, NULL /* fd_forget */, NULL /* peek */, NULL /* multi_after */,
        NULL, NULL, NULL /* bufrings: the core's free list */, NULL /* watch */};
    return &vt;
}

/* ==== choosing a backend: init, deinit, memory ==== */

/* The backends this file builds, by id (miniaudio's switch in ma_context_init):
   the only place that maps an id to a backend. */
DXI_PRIVATE const dxi_reactor_vtable *dxi_reactor_vtable_of(dx_reactor_backend_id id) {
    switch (id) {
#if defined(DXI_REACTOR_HAS_IOURING)
    case DX_REACTOR_BACKEND_IOURING: return dxi_uring_vtable();
#endif
#if defined(DXI_REACTOR_HAS_EPOLL)
    case DX_REACTOR_BACKEND_EPOLL: return dxi_epoll_vtable();
#endif
#if defined(DXI_REACTOR_HAS_POLL)
    case DX_REACTOR_BACKEND_POLL: return dxi_poll_vtable();
#endif
#if defined(DXI_REACTOR_HAS_KQUEUE)
    case DX_REACTOR_BACKEND_KQUEUE: return dxi_kqueue_vtable();
#endif
#if defined(DXI_REACTOR_HAS_IOCP)
    case DX_REACTOR_BACKEND_IOCP: return dxi_iocp_vtable();
#endif
    case DX_REACTOR_BACKEND_CUSTOM: return dxi_custom_vtable();
    default: return NULL;
    }
}

DXI_PRIVATE void *dxi_reactor_alloc(const dx_allocator *a, size_t size) {
    if (a->alloc) return a->alloc(size, a->user);
#if defined(DX_NO_MALLOC)
    (void)size;
    return NULL;
#else
    return DX_MALLOC(size, a->user);
#endif
}
DXI_PRIVATE void dxi_reactor_free(const dx_allocator *a, void *p, size_t size) {
    if (!p) return;
    if (a->free) {
        a->free(p, size, a->user);
        return;
    }
#if !defined(DX_NO_MALLOC)
    DX_FREE(p, size, a->user);
#else
    (void)size;
#endif
}

DX_STATIC_ASSERT(sizeof(dx_op_priv) == 7 * sizeof(uint64_t), dxi_reactor_op_priv_size);

DXI_PRIVATE uint32_t dxi_reactor_nofile(void) { /* the RLIMIT_NOFILE soft limit, at most 2^20 */
#if DXI_REACTOR_POSIX
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) return rl.rlim_cur > (1u << 20) ? (1u << 20) : (uint32_t)rl.rlim_cur;
#endif
    return 1024;
}

/* The backends init tries, in order: cfg's list, or the default order. */
DXI_PRIVATE const dx_reactor_backend_id *dxi_reactor_order(const dx_reactor_config *cfg, uint32_t *count) {
#if DXI_REACTOR_WINDOWS
    static const dx_reactor_backend_id defaults[] = {DX_REACTOR_BACKEND_IOCP};
#else
    static const dx_reactor_backend_id defaults[] = {DX_REACTOR_BACKEND_IOURING, DX_REACTOR_BACKEND_EPOLL, DX_REACTOR_BACKEND_KQUEUE,
                                                     DX_REACTOR_BACKEND_POLL};
#endif
    if (cfg->backend_count) {
        *count = cfg->backend_count;
        return cfg->backends;
    }
    *count = (uint32_t)(sizeof defaults / sizeof defaults[0]);
    return defaults;
}

/* The fd table size for cfg and the bytes of the hungriest backend in its
   list (0: none needs memory). Returns false for an invalid config. */
DXI_PRIVATE bool dxi_reactor_layout(const dx_reactor_config *cfg, uint32_t *out_max_fds, size_t *out_need) {
    uint32_t count, i, n;
    const dx_reactor_backend_id *list = dxi_reactor_order(cfg, &count);
    uint64_t need = 0;
    *out_max_fds = 0;
    *out_need = 0;
    if (count > DX_REACTOR_MAX_BACKENDS) return false;
    n = DXI_DEF(cfg->max_fds, dxi_reactor_nofile());
    if (n < 64) n = 64;
    for (i = 0; i < count && list[i] != DX_REACTOR_BACKEND_DEFAULT; i++) {
        const dxi_reactor_vtable *vt = dxi_reactor_vtable_of(list[i]);
        uint64_t b = vt && vt->memory_size ? vt->memory_size(n) : 0;
        if (b > need) need = b;
    }
    if (need > (uint64_t)(SIZE_MAX / 2)) return false; /* 32-bit hosts */
    *out_max_fds = n;
    *out_need = (size_t)need;
    return true;
}

DX_REACTOR_API size_t dx_reactor_memory_size(const dx_reactor_config *cfg) {
    dx_reactor_config zero;
    uint32_t max_fds;
    size_t need;
    if (!cfg) {
        DX_MEMSET(&zero, 0, sizeof zero);
        cfg = &zero;
    }
    return dxi_reactor_layout(cfg, &max_fds, &need) ? need : 0;
}

/* Releases what the backend took (fds, rings); the memory stays the caller's. */
DXI_PRIVATE void dxi_reactor_release(dx_reactor *r) {
    if (r->vt) r->vt->deinit(r);
    r->vt = NULL;
    r->backend = DX_REACTOR_BACKEND_DEFAULT;
    r->features = 0;
}

/* Tries one backend: DX_OK, or a reason to try the next. */
DXI_PRIVATE dx_result dxi_reactor_try(dx_reactor *r, dx_reactor_backend_id id, const dx_reactor_config *cfg) {
    const dxi_reactor_vtable *vt = dxi_reactor_vtable_of(id);
    if (!vt) return DX_ERR_UNSUPPORTED; /* not built here, or no such backend */
    DX_MEMSET(&r->be, 0, sizeof r->be);
    r->backend = vt->id;
    r->vt = vt;
    return vt->init(r, cfg);
}

DXI_PRIVATE dx_result dxi_reactor_init_memory(dx_reactor *r, const dx_reactor_config *cfg, void *mem, size_t mem_size, bool zeroed) {
    dx_reactor_config zero;
    const dx_reactor_backend_id *list;
    uint32_t count, i, max_fds;
    size_t need;
    if (!r) return DX_ERR_INVAL;
    if (!cfg) {
        DX_MEMSET(&zero, 0, sizeof zero);
        cfg = &zero;
    }
    if ((cfg->allocator.alloc == NULL) != (cfg->allocator.free == NULL) || cfg->backend_count > DX_REACTOR_MAX_BACKENDS) return DX_ERR_INVAL;
    if (!dxi_reactor_layout(cfg, &max_fds, &need)) return DX_ERR_INVAL;
    if (need && (!mem || mem_size < need)) return DX_ERR_NOSPACE;
    if (((uintptr_t)mem & (sizeof(void *) - 1)) != 0) return DX_ERR_INVAL;
    DX_MEMSET(r, 0, sizeof *r);
    r->allocator = cfg->allocator;
    r->memory = mem;
    r->memory_size = mem_size;
    r->max_fds = max_fds;
    r->memory_zeroed = zeroed;
    r->wake_rfd = r->wake_wfd = -1;
    list = dxi_reactor_order(cfg, &count);
    for (i = 0; i < count; i++) {
        dx_result rc;
        if (list[i] == DX_REACTOR_BACKEND_DEFAULT) break;
        rc = dxi_reactor_try(r, list[i], cfg);
        if (rc == DX_OK) {
            r->now_ns = dxi_reactor_clock(r);
            return DX_OK;
        }
        dxi_reactor_release(r); /* init writes no slot: the table is still empty for the next one */
    }
    return DX_ERR_UNSUPPORTED;
}

DX_REACTOR_API dx_result dx_reactor_init(dx_reactor *r, const dx_reactor_config *cfg, void *mem, size_t mem_size) {
    return dxi_reactor_init_memory(r, cfg, mem, mem_size, false);
}

DX_REACTOR_API dx_result dx_reactor_create(dx_reactor *r, const dx_reactor_config *cfg) {
    dx_reactor_config zero;
    size_t size;
    void *mem = NULL;
    bool zeroed = false;
    dx_result rc;
    if (!r) return DX_ERR_INVAL;
    if (!cfg) {
        DX_MEMSET(&zero, 0, sizeof zero);
        cfg = &zero;
    }
    if ((cfg->allocator.alloc == NULL) != (cfg->allocator.free == NULL)) return DX_ERR_INVAL;
    size = dx_reactor_memory_size(cfg);
    if (size) {
#if defined(DXI_LIBC_MALLOC)
        if (!cfg->allocator.alloc) mem = calloc(1, size), zeroed = true; /* zeroed pages the fd table need not touch */
        else
#endif
            mem = dxi_reactor_alloc(&cfg->allocator, size);
        if (!mem) return DX_ERR_NOMEM;
    }
    rc = dxi_reactor_init_memory(r, cfg, mem, size, zeroed && mem != NULL);
    if (rc != DX_OK) {
        dxi_reactor_free(&cfg->allocator, mem, size);
        return rc;
    }
    r->owns_memory = true;
    return DX_OK;
}

DX_REACTOR_API void dx_reactor_deinit(dx_reactor *r) {
    if (!r) return;
    dxi_reactor_release(r);
}

DX_REACTOR_API void dx_reactor_destroy(dx_reactor *r) {
    if (!r) return;
    dxi_reactor_release(r);
    if (r->owns_memory) dxi_reactor_free(&r->allocator, r->memory, r->memory_size);
    r->memory = NULL;
    r->memory_size = 0;
    r->owns_memory = false;
}
/* ---- buffer rings for multishot recv ---- */

DX_REACTOR_API size_t dx_reactor_bufring_memory_size(const dx_reactor_bufring_config *cfg) {
    uint64_t bytes;
    if (!cfg || !cfg->size || !cfg->count || cfg->count > 32768 || (cfg->count & (cfg->count - 1))) return 0;
    bytes = (uint64_t)cfg->count * cfg->size;
    bytes = ((bytes + 1) & ~(uint64_t)1) + (uint64_t)cfg->count * sizeof(uint16_t); /* the buffers, then the free list */
    if (bytes > (uint64_t)(SIZE_MAX / 2)) return 0; /* 32-bit hosts */
    return (size_t)bytes;
}

DX_REACTOR_API dx_result dx_reactor_bufring_init(dx_reactor *r, dx_reactor_bufring *br, const dx_reactor_bufring_config *cfg, void *mem,
                                                 size_t mem_size) {
    size_t need = dx_reactor_bufring_memory_size(cfg), bytes;
    uint32_t i, count;
    if (!r || !br || need == 0) return DX_ERR_INVAL;
    if (!mem || mem_size < need) return DX_ERR_NOSPACE;
    count = cfg->count;
    bytes = (size_t)count * cfg->size;
    DX_MEMSET(br, 0, sizeof *br);
    br->mem = (uint8_t *)mem;
    br->count = count;
    br->size = cfg->size;
    br->group = cfg->group;
    br->allocator = cfg->allocator;
    br->memory_size = mem_size;
    br->vt = r->vt;
    if (r->vt && r->vt->bufring_init) return r->vt->bufring_init(r, br); /* io_uring: a ring the kernel reads */
    br->free_ids = (uint16_t *)(void *)(br->mem + ((bytes + 1) & ~(size_t)1));
    for (i = count; i-- > 0;) br->free_ids[br->nfree++] = (uint16_t)i;
    return DX_OK;
}

DX_REACTOR_API dx_result dx_reactor_bufring_create(dx_reactor *r, dx_reactor_bufring *br, const dx_reactor_bufring_config *cfg) {
    size_t size = dx_reactor_bufring_memory_size(cfg);
    void *mem;
    dx_result rc;
    if (!r || !br || size == 0 || (cfg->allocator.alloc == NULL) != (cfg->allocator.free == NULL)) return DX_ERR_INVAL;
    mem = dxi_reactor_alloc(&cfg->allocator, size);
    if (!mem) return DX_ERR_NOMEM;
    rc = dx_reactor_bufring_init(r, br, cfg, mem, size);
    if (rc != DX_OK) {
        dxi_reactor_free(&cfg->allocator, mem, size);
        return rc;
    }
    br->owns_memory = true;
    return DX_OK;
}

DX_REACTOR_API void dx_reactor_bufring_deinit(dx_reactor *r, dx_reactor_bufring *br) {
    if (!br) return;
    if (br->vt && br->vt->bufring_deinit) br->vt->bufring_deinit(r, br);
    br->ring = NULL;
    br->ring_size = 0;
    br->free_ids = NULL;
    br->nfree = 0;
}

DX_REACTOR_API void dx_reactor_bufring_destroy(dx_reactor *r, dx_reactor_bufring *br) {
    if (!br) return;
    dx_reactor_bufring_deinit(r, br);
    if (br->owns_memory) dxi_reactor_free(&br->allocator, br->mem, br->memory_size);
    DX_MEMSET(br, 0, sizeof *br);
}

/* ---- socket helpers (the OS's, not a backend's) ---- */

#if DXI_REACTOR_WINDOWS
/* Winsock is started once per process for the helpers (WSAStartup counts; never undone: the process' end does it). */
DXI_PRIVATE bool dxi_reactor_wsa(void) {
    static volatile LONG started;
    WSADATA wd;
    if (started) return true;
    if (WSAStartup(MAKEWORD(2, 2), &wd) != 0) return false;
    if (InterlockedExchange(&started, 1)) WSACleanup(); /* another thread got there first */
    return true;
}
#endif

/* Ops on fd submitted but not started yet (a REARM in a callback, say) are
   pending too: they end with DX_ERR_CANCELED rather than start on a closed
   (or reused) number. */
DXI_PRIVATE void dxi_reactor_cancel_queued(dx_reactor *r, uintptr_t fd) {
    dx_op *op = r->sq_head, *next;
    for (; op; op = next) {
        next = op->next;
        if (op->fd != fd || op->kind == DX_OP_KIND_TIMER || op->kind == DX_OP_KIND_CANCEL || op->kind == DX_OP_KIND_WAKE_WAIT ||
            op->kind == DX_OP_KIND_CLOSE)
            continue;
        dxi_reactor_unlink(&r->sq_head, &r->sq_tail, op);
        op->state = DX_OP_STATE_ACTIVE;
        dxi_reactor_done(r, op, DX_ERR_CANCELED, 0);
    }
}

DX_REACTOR_API dx_result dx_reactor_fd_close(dx_reactor *r, uintptr_t fd) {
    if (r && r->vt) dxi_reactor_cancel_queued(r, fd);
    if (r && r->vt && r->vt->fd_forget) r->vt->fd_forget(r, fd); /* the backend forgets fd before the number is reused */
#if DXI_REACTOR_POSIX
    if (close((int)fd) != 0) return dxi_reactor_map(errno);
    return DX_OK;
#elif DXI_REACTOR_WINDOWS
    if (closesocket((SOCKET)fd) == 0) return DX_OK; /* a SOCKET, else a HANDLE (a file, a pipe) */
    if (WSAGetLastError() != WSAENOTSOCK && WSAGetLastError() != WSANOTINITIALISED) return DX_REACTOR_ERR_BADF;
    return CloseHandle((HANDLE)fd) ? DX_OK : DX_REACTOR_ERR_BADF;
#else
    (void)fd;
    return DX_ERR_UNSUPPORTED;
#endif
}

#if DXI_REACTOR_POSIX || DXI_REACTOR_WINDOWS
DX_STATIC_ASSERT(sizeof(struct sockaddr_in6) <= sizeof(((dx_reactor_addr *)0)->storage), dxi_reactor_addr_fits);
#endif
#if DXI_REACTOR_POSIX
DX_STATIC_ASSERT(sizeof(struct iovec) == sizeof(dx_reactor_iovec), dxi_reactor_iovec_size);
#endif
DX_REACTOR_API dx_result dx_reactor_addr_make(dx_reactor_addr *out, const char *ip, uint16_t port) {
#if DXI_REACTOR_POSIX || DXI_REACTOR_WINDOWS
#if DXI_REACTOR_WINDOWS
    if (!dxi_reactor_wsa()) return DX_ERR_UNSUPPORTED;
#endif
    DX_MEMSET(out, 0, sizeof *out);
    {
        struct sockaddr_in a4;
        DX_MEMSET(&a4, 0, sizeof a4);
        if (inet_pton(AF_INET, ip, &a4.sin_addr) == 1) {
            a4.sin_family = AF_INET;
            a4.sin_port = htons(port);
            DX_MEMCPY(out->storage, &a4, sizeof a4);
            out->len = (uint32_t)sizeof a4;
            return DX_OK;
        }
    }
    {
        struct sockaddr_in6 a6;
        DX_MEMSET(&a6, 0, sizeof a6);
        if (inet_pton(AF_INET6, ip, &a6.sin6_addr) == 1) {
            a6.sin6_family = AF_INET6;
            a6.sin6_port = htons(port);
            DX_MEMCPY(out->storage, &a6, sizeof a6);
            out->len = (uint32_t)sizeof a6;
            return DX_OK;
        }
    }
    return DX_ERR_INVAL;
#else
    (void)out;
    (void)ip;
    (void)port;
    return DX_ERR_UNSUPPORTED;
#endif
}

DX_REACTOR_API int64_t dx_reactor_tcp_socket(bool ipv6) {
#if DXI_REACTOR_WINDOWS
    /* overlapped (IOCP needs it), not inherited; blocking mode does not matter to overlapped I/O */
    BOOL one = TRUE;
    SOCKET s;
    if (!dxi_reactor_wsa()) return DX_ERR_UNSUPPORTED;
    s = WSASocketW(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET) return DX_ERR_OS;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    return (int64_t)s;
#elif DXI_REACTOR_POSIX
    int one = 1;
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return dxi_reactor_map(errno);
#else
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return dxi_reactor_map(errno);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
#else
    (void)ipv6;
    return DX_ERR_UNSUPPORTED;
#endif
}

DX_REACTOR_API int64_t dx_reactor_tcp_listen(const dx_reactor_addr *addr, int backlog, uint32_t flags) {
#if DXI_REACTOR_WINDOWS
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)addr->storage;
    int64_t fd;
    BOOL one = TRUE;
    if (flags & DX_REACTOR_LISTEN_REUSEPORT) return DX_ERR_UNSUPPORTED; /* Windows has no SO_REUSEPORT (SO_REUSEADDR there steals ports) */
    fd = dx_reactor_tcp_socket(sa->sa_family == AF_INET6);
    if (fd < 0) return fd;
    setsockopt((SOCKET)fd, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&one, sizeof one);
    if (bind((SOCKET)fd, sa, (int)addr->len) != 0 || listen((SOCKET)fd, backlog > 0 ? backlog : SOMAXCONN) != 0) {
        int e = WSAGetLastError();
        closesocket((SOCKET)fd);
        return e == WSAEADDRINUSE || e == WSAEADDRNOTAVAIL ? DX_REACTOR_ERR_ADDRINUSE : e == WSAEACCES ? DX_REACTOR_ERR_DENIED : DX_ERR_OS;
    }
    return fd;
#elif DXI_REACTOR_POSIX
    int one = 1, e;
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)addr->storage;
    int64_t fd = dx_reactor_tcp_socket(sa->sa_family == AF_INET6);
    if (fd < 0) return fd;
    setsockopt((int)fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (flags & DX_REACTOR_LISTEN_REUSEPORT) {
#if defined(SO_REUSEPORT)
        if (setsockopt((int)fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) goto fail;
#else
        close((int)fd);
        return DX_ERR_UNSUPPORTED;
#endif
    }
    if (bind((int)fd, sa, (socklen_t)addr->len) != 0) goto fail;
    if (listen((int)fd, backlog > 0 ? backlog : SOMAXCONN) != 0) goto fail;
    return fd;
fail:
    e = errno;
    close((int)fd);
    return dxi_reactor_map(e);
#else
    (void)addr;
    (void)backlog;
    (void)flags;
    return DX_ERR_UNSUPPORTED;
#endif
}

DX_REACTOR_API int64_t dx_reactor_tcp_local_port(uintptr_t fd) {
#if DXI_REACTOR_WINDOWS
    struct sockaddr_in6 a;
    int len = sizeof a;
    if (getsockname((SOCKET)fd, (struct sockaddr *)(void *)&a, &len) != 0) return DX_REACTOR_ERR_BADF;
    return ntohs(a.sin6_port);
#elif DXI_REACTOR_POSIX
    struct sockaddr_in6 a; /* large enough for both families; the port is at the same offset */
    socklen_t len = sizeof a;
    if (getsockname((int)fd, (struct sockaddr *)(void *)&a, &len) != 0) return dxi_reactor_map(errno);
    return ntohs(a.sin6_port);
#else
    (void)fd;
    return DX_ERR_UNSUPPORTED;
#endif
}

#if DXI_REACTOR_POSIX
/* S_ISSOCK is hidden in strict C99 builds (dx_reactor.h not first): the POSIX values then */
#if defined(S_ISSOCK)
#define DXI_REACTOR_ISSOCK(m) S_ISSOCK(m)
#else
#define DXI_REACTOR_ISSOCK(m) (((m) & 0170000) == 0140000)
#endif
/* A non-blocking, close-on-exec AF_UNIX stream socket and its address; < 0: an error. */
DXI_PRIVATE int64_t dxi_reactor_unix_socket(const char *path, struct sockaddr_un *a, socklen_t *len) {
    size_t n = 0;
    int fd;
    while (path && path[n] && n < sizeof a->sun_path) n++;
    if (n == 0 || n >= sizeof a->sun_path) return DX_ERR_INVAL;
    DX_MEMSET(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    DX_MEMCPY(a->sun_path, path, n);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return dxi_reactor_map(errno);
#else
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return dxi_reactor_map(errno);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
    return fd;
}
#endif

DX_REACTOR_API int64_t dx_reactor_unix_listen(const char *path, int backlog) {
#if DXI_REACTOR_POSIX
    struct sockaddr_un a;
    struct stat st;
    socklen_t len;
    int e;
    int64_t fd = dxi_reactor_unix_socket(path, &a, &len);
    if (fd < 0) return fd;
    if (stat(path, &st) == 0) { /* a stale socket of an earlier run: replace it; anything else: keep */
        if (!DXI_REACTOR_ISSOCK(st.st_mode)) {
            close((int)fd);
            return DX_ERR_EXISTS;
        }
        unlink(path);
    }
    if (bind((int)fd, (const struct sockaddr *)(const void *)&a, len) != 0) goto fail;
    if (listen((int)fd, backlog > 0 ? backlog : SOMAXCONN) != 0) goto fail;
    return fd;
fail:
    e = errno;
    close((int)fd);
    return dxi_reactor_map(e);
#else
    (void)path;
    (void)backlog;
    return DX_ERR_UNSUPPORTED;
#endif
}

DX_REACTOR_API int64_t dx_reactor_unix_connect(const char *path) {
#if DXI_REACTOR_POSIX
    struct sockaddr_un a;
    socklen_t len;
    int e;
    int64_t fd = dxi_reactor_unix_socket(path, &a, &len);
    if (fd < 0) return fd;
    if (connect((int)fd, (const struct sockaddr *)(const void *)&a, len) == 0) return fd;
    e = errno;
    close((int)fd);
    return dxi_reactor_map(e);
#else
    (void)path;
    return DX_ERR_UNSUPPORTED;
#endif
}

/* ---- thread-per-core workers ---- */

#if defined(__TINYC__)
#define DXI_REACTOR_ALOAD(p) (*(volatile uint32_t *)(p))
#define DXI_REACTOR_ASTORE(p, v) (*(volatile uint32_t *)(p) = (v))
#elif defined(__GNUC__) || defined(__clang__)
#define DXI_REACTOR_ALOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define DXI_REACTOR_ASTORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* a store then a load on each side, each seeing the other's (workers_stop's wake against the loop's end) */
#define DXI_REACTOR_SC_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define DXI_REACTOR_SC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#else
#define DXI_REACTOR_ALOAD(p) (*(volatile uint32_t *)(p))
#define DXI_REACTOR_ASTORE(p, v) (*(volatile uint32_t *)(p) = (v))
#endif
#ifndef DXI_REACTOR_SC_LOAD
#define DXI_REACTOR_SC_LOAD(p) DXI_REACTOR_ALOAD(p)
#define DXI_REACTOR_SC_STORE(p, v) DXI_REACTOR_ASTORE(p, v)
#endif

DX_REACTOR_API uint32_t dx_reactor_cpu_count(void) {
#if DXI_REACTOR_POSIX && defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
#elif DXI_REACTOR_WINDOWS
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors > 0 ? (uint32_t)si.dwNumberOfProcessors : 1;
#else
    return 1;
#endif
}

#if DXI_REACTOR_POSIX
#include <pthread.h>
#include <sched.h>
DX_STATIC_ASSERT(sizeof(pthread_t) <= 2 * sizeof(uint64_t), dxi_reactor_pthread_fits);
#endif
#if DXI_REACTOR_POSIX || DXI_REACTOR_WINDOWS

DXI_PRIVATE dx_reactor_action dxi_reactor_worker_closed(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    (void)r, (void)op, (void)res, (void)user;
    return DX_REACTOR_DISARM;
}

/* Completes on every wake; on the one that carries the stop flag: stop accepting, tell the user. */
DXI_PRIVATE dx_reactor_action dxi_reactor_worker_wake(dx_reactor *r, dx_op *op, int64_t res, void *user) {
    dx_reactor_worker *w = (dx_reactor_worker *)user;
    (void)op, (void)res;
    if (!DXI_REACTOR_ALOAD(&w->stop)) return DX_REACTOR_REARM;
    if (w->listen_fd >= 0) {
        dx_op_close(&w->close_op, (uintptr_t)w->listen_fd);
        dx_reactor_submit(r, &w->close_op, dxi_reactor_worker_closed, w);
        w->listen_fd = -1;
    }
    if (w->group->cfg.on_stop) w->group->cfg.on_stop(w, w->group->cfg.user);
    return DX_REACTOR_DISARM;
}

DXI_PRIVATE void *dxi_reactor_worker_main(void *arg) {
    dx_reactor_worker *w = (dx_reactor_worker *)arg;
    dx_reactor_workers *g = w->group;
    dx_result rc;
#if DXI_REACTOR_LINUX && defined(SYS_sched_setaffinity)
    if (w->cpu >= 0) {
        uint64_t mask[16]; /* 1024 CPUs */
        DX_MEMSET(mask, 0, sizeof mask);
        mask[(w->cpu / 64) % 16] = (uint64_t)1 << (w->cpu % 64);
        if (syscall(SYS_sched_setaffinity, 0, sizeof mask, mask) != 0) w->cpu = -1;
    }
#elif DXI_REACTOR_WINDOWS
    /* the process' processor group only (64 CPUs): beyond, the thread stays where Windows put it */
    if (w->cpu >= 0 && (w->cpu >= 64 || !SetThreadAffinityMask(GetCurrentThread(), (DWORD_PTR)1 << w->cpu))) w->cpu = -1;
#else
    w->cpu = -1;
#endif
    /* the loop is made in its own thread: io_uring's SINGLE_ISSUER and registered ring belong to it */
    rc = dx_reactor_create(&w->loop, &g->cfg.reactor);
    if (rc == DX_OK && g->cfg.listen) {
#if DXI_REACTOR_WINDOWS
        int64_t fd = dx_reactor_tcp_listen(g->cfg.listen, g->cfg.backlog, 0); /* the only worker (workers_start) */
#else
        int64_t fd = dx_reactor_tcp_listen(g->cfg.listen, g->cfg.backlog, DX_REACTOR_LISTEN_REUSEPORT);
#endif
        if (fd < 0) {
            rc = (dx_result)fd;
            dx_reactor_destroy(&w->loop);
        }
        w->listen_fd = fd < 0 ? -1 : fd;
    }
    if (rc != DX_OK) {
        w->result = rc;
        DXI_REACTOR_ASTORE(&w->ready, 2u);
        return NULL;
    }
    dx_op_wake_wait(&w->stop_op);
    dx_reactor_submit(&w->loop, &w->stop_op, dxi_reactor_worker_wake, w);
    DXI_REACTOR_ASTORE(&w->ready, 1u);
    if (g->cfg.on_start) g->cfg.on_start(w, g->cfg.user);
    w->result = dx_reactor_run(&w->loop, DX_REACTOR_RUN_UNTIL_DONE); /* until stopped and drained */
    if (w->listen_fd >= 0) dx_reactor_fd_close(&w->loop, (uintptr_t)w->listen_fd);
    w->listen_fd = -1;
    /* no wake from now on; one under way (workers_stop's, which saw ready 1) finishes before the loop goes */
    DXI_REACTOR_SC_STORE(&w->ready, 3u);
    while (DXI_REACTOR_SC_LOAD(&w->waking) != 0) {
#if DXI_REACTOR_WINDOWS
        Sleep(0);
#else
        sched_yield();
#endif
    }
    dx_reactor_destroy(&w->loop);
    return NULL;
}
#endif
#if DXI_REACTOR_WINDOWS
DXI_PRIVATE DWORD WINAPI dxi_reactor_worker_thread(LPVOID arg) {
    dxi_reactor_worker_main(arg);
    return 0;
}
#endif

DX_REACTOR_API dx_result dx_reactor_workers_start(dx_reactor_workers *g, const dx_reactor_workers_config *cfg,
                                                  dx_reactor_worker *workers, uint32_t capacity) {
#if DXI_REACTOR_POSIX || DXI_REACTOR_WINDOWS
    uint32_t n, ncpu = dx_reactor_cpu_count(), i;
    dx_result rc = DX_OK;
    if (!g || !cfg || !workers) return DX_ERR_INVAL;
    n = DXI_DEF(cfg->count, ncpu);
    if (n > capacity) return DX_ERR_NOSPACE;
#if DXI_REACTOR_WINDOWS
    /* no SO_REUSEPORT, and a socket belongs to one completion port: one listener, one worker */
    if (cfg->listen && n > 1) return DX_ERR_UNSUPPORTED;
#endif
    DX_MEMSET(g, 0, sizeof *g);
    g->cfg = *cfg;
    g->workers = workers;
    for (i = 0; i < n; i++) {
        dx_reactor_worker *w = &workers[i];
#if DXI_REACTOR_WINDOWS
        HANDLE th;
#else
        pthread_t th;
#endif
        int spins = 0;
        DX_MEMSET(w, 0, sizeof *w);
        w->index = i;
        w->group = g;
        w->listen_fd = -1;
        w->cpu = cfg->pin ? (int32_t)(i % ncpu) : -1;
#if DXI_REACTOR_WINDOWS
        th = CreateThread(NULL, 0, dxi_reactor_worker_thread, w, 0, NULL);
        if (!th) {
#else
        if (pthread_create(&th, NULL, dxi_reactor_worker_main, w) != 0) {
#endif
            rc = DX_ERR_NOMEM;
            break;
        }
        DX_MEMCPY(w->thread, &th, sizeof th);
        g->count = i + 1;
#if DXI_REACTOR_WINDOWS
        while (!DXI_REACTOR_ALOAD(&w->ready) && spins++ < 100000) Sleep(1); /* bounded: 100 s */
#else
        while (!DXI_REACTOR_ALOAD(&w->ready) && spins++ < 100000) poll(NULL, 0, 1); /* bounded: 100 s */
#endif
        if (DXI_REACTOR_ALOAD(&w->ready) != 1) {
            rc = w->result ? w->result : DX_ERR_TIMEOUT;
            break;
        }
    }
    if (rc != DX_OK) dx_reactor_workers_stop(g);
    return rc;
#else
    (void)g, (void)cfg, (void)workers, (void)capacity;
    return DX_ERR_UNSUPPORTED;
#endif
}

DX_REACTOR_API dx_result dx_reactor_workers_stop(dx_reactor_workers *g) {
#if DXI_REACTOR_POSIX || DXI_REACTOR_WINDOWS
    uint32_t i;
    dx_result rc = DX_OK;
    if (dx_reactor_workers_current(g)) return DX_ERR_MISUSE; /* it would join itself */
    for (i = 0; i < g->count; i++) {
        dx_reactor_worker *w = &g->workers[i];
        DXI_REACTOR_ASTORE(&w->stop, 1u);
        DXI_REACTOR_SC_STORE(&w->waking, 1u); /* the loop stays until this wake is done (worker_main) */
        if (DXI_REACTOR_SC_LOAD(&w->ready) == 1) dx_reactor_wake(&w->loop);
        DXI_REACTOR_SC_STORE(&w->waking, 0u);
    }
    for (i = 0; i < g->count; i++) {
        dx_reactor_worker *w = &g->workers[i];
#if DXI_REACTOR_WINDOWS
        HANDLE th;
        DX_MEMCPY(&th, w->thread, sizeof th);
        WaitForSingleObject(th, INFINITE);
        CloseHandle(th);
#else
        pthread_t th;
        DX_MEMCPY(&th, w->thread, sizeof th);
        pthread_join(th, NULL);
#endif
        if (w->result != DX_OK && rc == DX_OK) rc = w->result;
    }
    g->count = 0;
    return rc;
#else
    (void)g;
    return DX_ERR_UNSUPPORTED;
#endif
}

DX_REACTOR_API dx_reactor_worker *dx_reactor_workers_current(const dx_reactor_workers *g) {
#if DXI_REACTOR_POSIX || DXI_REACTOR_WINDOWS
    uint32_t i;
    for (i = 0; g && i < g->count; i++) {
        dx_reactor_worker *w = &g->workers[i];
#if DXI_REACTOR_WINDOWS
        HANDLE th;
        DX_MEMCPY(&th, w->thread, sizeof th);
        if (GetThreadId(th) == GetCurrentThreadId()) return w;
#else
        pthread_t th;
        DX_MEMCPY(&th, w->thread, sizeof th);
        if (pthread_equal(th, pthread_self())) return w;
#endif
    }
#endif
    (void)g;
    return NULL;
}

#endif /* DX_REACTOR_IMPLEMENTATION */

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
