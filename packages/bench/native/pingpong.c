// The bench's C load generator for the ping-pong and connection-rate
// workloads. The Node generator (src/load-generator.ts) costs about as much
// CPU per 64-byte message as a Node echo server does, so on its own core it
// capped the figures it was meant to measure; this one does the same work
// with one epoll loop and a few syscalls per message.
//
// Same semantics as the Node generator, so figures stay comparable:
//   ping-pong        N connections; each sends a message whose bytes name the
//                    connection and sequence number, waits for the whole echo,
//                    checks it byte-exact, sends the next. Quiet ramp: during
//                    the ramp a connection sends one message and, once it is
//                    echoed (served), nothing more; when the ramp ends, all
//                    connections start ping-ponging together.
//   connection-rate  N loops of connect -> one exchange -> FIN -> peer's close.
// The server is reached over TCP (--host, --port) or a Unix stream socket
// (--unix PATH: AF_UNIX, the same loop; only TCP_NODELAY does not apply).
// A byte that differs, comes back before it was sent, or arrives unasked is
// corruption: reported, never counted. Connects are throttled (200 in flight),
// the ramp, warmup, windows and close grace are those of the Node generator.
//
// Protocol with the runner (src/native-load.ts), stdout lines:
//   measure start         the measured span begins (the runner samples server CPU)
//   measure end           it ends; load keeps running until the runner writes a
//                         line on stdin ("sampled"), so the server's threads are
//                         still alive when it is sampled (bounded: 5 s)
//   result {json}         a WorkloadResult, histogram in LatencyHistogram's buckets
// Every loop is bounded by a deadline, and alarm() ends the process if
// something still hangs.
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL
/* Connect attempts in flight at once, so a burst does not overflow the listen backlog. */
#define MAX_PENDING_CONNECTS 200
/* A ramp ends early once no new connection has been served for this long. */
#define RAMP_STALL_NS (1500 * MS)
/* Time connections get to close with FIN before they are closed regardless. */
#define CLOSE_GRACE_NS (600 * MS)
/* Longest wait for the runner to say it has sampled the server after "measure end". */
#define SAMPLED_TIMEOUT_NS (5000 * MS)
/* A connection-rate loop whose attempt failed waits this long before the next. */
#define RETRY_NS (10 * MS)
/* Longest epoll wait, so deadlines and stall checks are looked at regularly. */
#define MAX_WAIT_NS (50 * MS)
#define READ_BUFFER_SIZE (64 * 1024)
#define MAX_EVENTS 512
/* epoll tag of stdin, which carries the runner's "sampled" line. */
#define STDIN_TAG UINT32_MAX

enum mode { PING_PONG, CONNECTION_RATE };

enum state {
  FREE,       /* no socket */
  CONNECTING, /* nonblocking connect in flight */
  OPEN,       /* connected; `awaiting` says whether a message is out */
  CLOSING,    /* FIN sent (or due once the message is written); waiting for the peer's */
  RETRY,      /* connection rate: a new connection is due at `retry_at` */
};

struct conn {
  int fd;
  uint8_t state;
  uint8_t awaiting;    /* a message is out and not wholly echoed back */
  uint8_t want_out;    /* EPOLLOUT is registered: a message is partly written */
  uint8_t fin_pending; /* shut down writing once the message is written */
  uint32_t id;
  uint32_t seq;
  uint32_t sent; /* bytes of the current message written */
  uint32_t got;  /* bytes of its echo received and verified */
  uint64_t exchanges;
  uint64_t exchanges_before; /* ping-pong: exchanges when measuring began */
  int64_t sent_at;
  int64_t retry_at;
  uint8_t *message;
};

static struct {
  enum mode mode;
  const char *host;
  const char *port;
  const char *unix_path; /* set: connect to this Unix socket instead of host:port */
  uint32_t connections; /* ping-pong: connections; connection rate: loops */
  uint32_t size;
  int64_t warmup_ns, window_ns, ramp_timeout_ns;
  uint32_t windows;
  double histogram_growth;
  uint32_t histogram_buckets;
  int send_buffer; /* tests: a small SO_SNDBUF makes messages go out in pieces */
} cfg = {.mode = PING_PONG, .host = "127.0.0.1", .size = 64};

static struct {
  uint64_t messages, bytes, cycles, opened, served, errors;
  char first_error[160];
  char corruption[256];
  int stopping;
  uint64_t *histogram; /* where latencies go: the current window's, or scratch */
} tally;

static int ep = -1;
static struct conn *conns;
/* Where every connection goes: the TCP address resolved once, or the Unix path. */
static struct {
  int family;
  socklen_t length;
  struct sockaddr_storage address;
} target;
static uint32_t launched, pending, next_id;
static int64_t ramp_deadline;
/* Ping-pong ramp in progress: a served connection stays quiet until it ends. */
static int ramping;
static int64_t next_retry_at = INT64_MAX; /* connection rate: earliest attempt due */
static double histogram_scale;
static int sampled;
static uint8_t read_buffer[READ_BUFFER_SIZE];

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The errno names Node reports as error.code, so both generators read alike. */
static const char *errno_name(int err) {
  switch (err) {
  case ECONNREFUSED: return "ECONNREFUSED";
  case ECONNRESET: return "ECONNRESET";
  case ECONNABORTED: return "ECONNABORTED";
  case EPIPE: return "EPIPE";
  case ETIMEDOUT: return "ETIMEDOUT";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EADDRINUSE: return "EADDRINUSE";
  case EHOSTUNREACH: return "EHOSTUNREACH";
  case ENETUNREACH: return "ENETUNREACH";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case ENOBUFS: return "ENOBUFS";
  case ENOMEM: return "ENOMEM";
  case EAGAIN: return "EAGAIN"; /* a Unix listen queue that is full */
  case ENOENT: return "ENOENT"; /* no Unix socket file at the path */
  default: return strerror(err);
  }
}

/* Same bucket as LatencyHistogram#record (latency-histogram.ts). */
static void record_latency(int64_t ns) {
  double micros = (double)ns / 1000.0;
  uint32_t index = 0;
  if (micros > 1) {
    double i = 1 + floor(log(micros) * histogram_scale);
    index = i >= cfg.histogram_buckets ? cfg.histogram_buckets - 1 : (uint32_t)i;
  }
  tally.histogram[index]++;
}

static void socket_error(int err) {
  if (tally.stopping) return;
  tally.errors++;
  if (!tally.first_error[0])
    snprintf(tally.first_error, sizeof tally.first_error, "%s", errno_name(err));
}

static void conn_close(struct conn *c);

/* Records the first corruption seen and drops the connection, as the Node generator does. */
__attribute__((format(printf, 2, 3))) static void corrupt(struct conn *c, const char *fmt, ...) {
  if (!tally.corruption[0]) {
    int n = snprintf(tally.corruption, sizeof tally.corruption, "connection %u: ", c->id);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tally.corruption + n, sizeof tally.corruption - (size_t)n, fmt, ap);
    va_end(ap);
  }
  conn_close(c);
}

static void watch(struct conn *c, int op, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)(c - conns)};
  epoll_ctl(ep, op, c->fd, &ev);
}

/* Starts a nonblocking connect; a failure to even start counts as a socket error. */
static void conn_open(struct conn *c, uint32_t id) {
  memset(c, 0, offsetof(struct conn, message));
  c->id = id;
  c->fd = socket(target.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    socket_error(errno);
    c->state = FREE;
    if (cfg.mode == CONNECTION_RATE) {
      c->state = RETRY;
      c->retry_at = now_ns() + RETRY_NS;
    }
    return;
  }
  int one = 1;
  if (target.family != AF_UNIX) setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (cfg.send_buffer)
    setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &cfg.send_buffer, sizeof cfg.send_buffer);
  c->state = CONNECTING;
  pending++;
  /* A Unix connect completes at once or fails at once (EAGAIN: the server's
     listen queue is full), like a refused TCP connect it counts as an error. */
  if (connect(c->fd, (struct sockaddr *)&target.address, target.length) < 0 &&
      errno != EINPROGRESS) {
    socket_error(errno);
    conn_close(c);
    return;
  }
  watch(c, EPOLL_CTL_ADD, EPOLLOUT);
}

/*
 * Closes the socket. Connection rate: a loop that completed its exchange
 * counts a cycle and starts its next connection on the next turn of the loop
 * (never inside this batch of events, which may still name the old socket);
 * a failed attempt backs off a little rather than spinning.
 */
static void conn_close(struct conn *c) {
  if (c->state == FREE || c->state == RETRY) return;
  if (c->state == CONNECTING) pending--;
  close(c->fd);
  c->fd = -1;
  c->state = FREE;
  if (cfg.mode != CONNECTION_RATE) return;
  if (c->exchanges > 0) tally.cycles++;
  if (tally.stopping || tally.corruption[0]) return;
  c->state = RETRY;
  c->retry_at = now_ns() + (c->exchanges > 0 ? 0 : RETRY_NS);
}

/* Half-closes: no more messages from us; the peer's FIN ends the connection. */
static void conn_finish(struct conn *c) {
  if (c->state != OPEN) return;
  c->state = CLOSING;
  if (c->awaiting && c->sent < cfg.size) c->fin_pending = 1;
  else shutdown(c->fd, SHUT_WR);
}

/* Writes what is left of the current message; EPOLLOUT resumes a partial write. */
static void conn_flush(struct conn *c) {
  while (c->sent < cfg.size) {
    ssize_t n = send(c->fd, c->message + c->sent, cfg.size - c->sent, MSG_NOSIGNAL);
    if (n > 0) {
      c->sent += (uint32_t)n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c->want_out) watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
      c->want_out = 1;
      return;
    }
    socket_error(n < 0 ? errno : EPIPE);
    conn_close(c);
    return;
  }
  if (c->want_out) watch(c, EPOLL_CTL_MOD, EPOLLIN);
  c->want_out = 0;
  if (c->fin_pending) {
    c->fin_pending = 0;
    shutdown(c->fd, SHUT_WR);
  }
}

/* Fills the next message (bytes 0..7 name connection and sequence, the rest a pattern of both) and sends it. */
static void conn_send_next(struct conn *c, int64_t now) {
  uint8_t *m = c->message;
  uint32_t seq = c->seq++;
  uint32_t i = 0;
  if (cfg.size >= 8) {
    for (int b = 0; b < 4; b++) m[b] = (uint8_t)(c->id >> (8 * b));
    for (int b = 0; b < 4; b++) m[4 + b] = (uint8_t)(seq >> (8 * b));
    i = 8;
  }
  uint32_t base = (c->id * 131u + seq * 7u) & 0xff;
  for (; i < cfg.size; i++) m[i] = (uint8_t)(base + i);
  c->sent = 0;
  c->got = 0;
  c->awaiting = 1;
  c->sent_at = now;
  conn_flush(c);
}

static void conn_connected(struct conn *c) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err != 0) {
    socket_error(err);
    conn_close(c);
    return;
  }
  pending--;
  tally.opened++;
  c->state = OPEN;
  watch(c, EPOLL_CTL_MOD, EPOLLIN);
  if (tally.stopping) conn_finish(c);
  else conn_send_next(c, now_ns());
}

/* One read per readiness event: the echo is checked in place against what was sent. */
static void conn_readable(struct conn *c) {
  ssize_t n = recv(c->fd, read_buffer, sizeof read_buffer, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    socket_error(errno);
    conn_close(c);
    return;
  }
  if (n == 0) {
    /* The peer closed: after our FIN that is the end; before it, the Node
       generator's socket also just closes, with no error to count. */
    conn_close(c);
    return;
  }
  uint32_t nread = (uint32_t)n;
  if (!c->awaiting) {
    corrupt(c, "%u unsolicited byte(s)", nread);
    return;
  }
  if (nread > cfg.size - c->got) {
    corrupt(c, "%u bytes back for a %u-byte message", c->got + nread, cfg.size);
    return;
  }
  if (c->got + nread > c->sent) {
    corrupt(c, "%u bytes of message %u back when only %u were sent", c->got + nread, c->seq - 1,
            c->sent);
    return;
  }
  if (memcmp(read_buffer, c->message + c->got, nread) != 0) {
    corrupt(c, "reply differs from message %u at bytes %u..", c->seq - 1, c->got);
    return;
  }
  c->got += nread;
  tally.bytes += nread;
  if (c->got < cfg.size) return;
  /* One exchange complete. */
  int64_t now = now_ns();
  c->awaiting = 0;
  if (c->exchanges++ == 0) tally.served++;
  tally.messages++;
  record_latency(now - c->sent_at);
  if (cfg.mode == CONNECTION_RATE) conn_finish(c);
  else if (!tally.stopping && !ramping && c->state == OPEN) conn_send_next(c, now);
}

/* Opens what is due: the ramp's next connections, connection-rate loops' next attempts. */
static void launch(int64_t now) {
  if (tally.stopping) return;
  if (cfg.mode == PING_PONG) {
    while (launched < cfg.connections && pending < MAX_PENDING_CONNECTS && now < ramp_deadline) {
      conn_open(&conns[launched], launched);
      launched++;
    }
    return;
  }
  next_retry_at = INT64_MAX;
  for (uint32_t i = 0; i < cfg.connections; i++) {
    struct conn *c = &conns[i];
    if (c->state == RETRY && c->retry_at <= now) conn_open(c, next_id++);
    if (c->state == RETRY && c->retry_at < next_retry_at) next_retry_at = c->retry_at;
  }
}

static void dispatch(const struct epoll_event *ev) {
  if (ev->data.u32 == STDIN_TAG) {
    /* Any line, or EOF, means the runner has sampled. */
    char line[64];
    if (read(STDIN_FILENO, line, sizeof line) < 0 && errno == EAGAIN) return;
    sampled = 1;
    epoll_ctl(ep, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
    return;
  }
  struct conn *c = &conns[ev->data.u32];
  switch (c->state) {
  case CONNECTING:
    conn_connected(c);
    return;
  case OPEN:
  case CLOSING:
    if ((ev->events & EPOLLOUT) && c->want_out) conn_flush(c);
    if ((c->state == OPEN || c->state == CLOSING) && (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
      conn_readable(c);
    return;
  default:
    return; /* an event for a socket closed earlier in this batch */
  }
}

typedef int (*done_fn)(int64_t now);

/* Runs the event loop until `deadline` or until `done` says so. */
static void run_until(int64_t deadline, done_fn done) {
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int64_t now = now_ns();
    if (now >= deadline || (done && done(now))) return;
    launch(now);
    int64_t wait = deadline - now;
    if (wait > MAX_WAIT_NS) wait = MAX_WAIT_NS;
    if (!tally.stopping && next_retry_at - now < wait) wait = next_retry_at - now;
    if (wait < 0) wait = 0;
    int n = epoll_wait(ep, events, MAX_EVENTS, (int)((wait + MS - 1) / MS));
    if (n < 0 && errno != EINTR) {
      perror("epoll_wait");
      exit(3);
    }
    for (int i = 0; i < n; i++) dispatch(&events[i]);
  }
}

static uint64_t ramp_served = UINT64_MAX;
static int64_t ramp_progress_at;

/*
 * Ramp over (besides its deadline): every connection served once,
 * corruption, or no new connection served for a while once every connect
 * has been made and settled.
 */
static int ramp_done(int64_t now) {
  if (tally.served >= cfg.connections || tally.corruption[0]) return 1;
  if (tally.served != ramp_served) {
    ramp_served = tally.served;
    ramp_progress_at = now;
    return 0;
  }
  return launched >= cfg.connections && pending == 0 && now - ramp_progress_at > RAMP_STALL_NS;
}

static int is_sampled(int64_t now) {
  (void)now;
  return sampled;
}

static int all_closed(int64_t now) {
  (void)now;
  for (uint32_t i = 0; i < cfg.connections; i++)
    if (conns[i].state != FREE) return 0;
  return 1;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
         ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static void json_string(const char *s) {
  if (!s[0]) {
    fputs("null", stdout);
    return;
  }
  putchar('"');
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') printf("\\%c", ch);
    else if (ch < 0x20) printf("\\u%04x", ch);
    else putchar(ch);
  }
  putchar('"');
}

struct window {
  double ms;
  uint64_t messages, bytes, cycles;
  uint64_t *histogram;
};

static void print_result(const struct window *windows, uint32_t measured, uint64_t served,
                         double ramp_ms, double load_cpu_percent) {
  printf("result {\"connections\":%u,\"opened\":%llu,\"served\":%llu,", cfg.connections,
         (unsigned long long)tally.opened, (unsigned long long)served);
  if (ramp_ms >= 0) printf("\"rampMs\":%.3f,\"windows\":[", ramp_ms);
  else fputs("\"rampMs\":null,\"windows\":[", stdout);
  for (uint32_t w = 0; w < measured; w++) {
    const struct window *win = &windows[w];
    printf("%s{\"ms\":%.3f,\"messages\":%llu,\"bytes\":%llu,\"cycles\":%llu,\"histogram\":[",
           w ? "," : "", win->ms, (unsigned long long)win->messages,
           (unsigned long long)win->bytes, (unsigned long long)win->cycles);
    int first = 1;
    for (uint32_t b = 0; b < cfg.histogram_buckets; b++) {
      if (!win->histogram[b]) continue;
      printf("%s[%u,%llu]", first ? "" : ",", b, (unsigned long long)win->histogram[b]);
      first = 0;
    }
    fputs("]}", stdout);
  }
  printf("],\"loadCpuPercent\":%.3f,\"errors\":%llu,\"firstError\":", load_cpu_percent,
         (unsigned long long)tally.errors);
  json_string(tally.first_error);
  fputs(",\"corruption\":", stdout);
  json_string(tally.corruption);
  fputs("}\n", stdout);
  fflush(stdout);
}

static void usage(const char *problem) {
  fprintf(stderr,
          "pingpong: %s\n"
          "usage: pingpong (--port P [--host H] | --unix PATH) [--mode ping-pong|connection-rate]\n"
          "  --connections N [--size BYTES] --warmup-ms MS --window-ms MS --windows N\n"
          "  --ramp-timeout-ms MS --histogram-growth G --histogram-buckets N\n"
          "  [--send-buffer BYTES]  (tests: small SO_SNDBUF, so writes are partial)\n",
          problem);
  exit(2);
}

static double number(const char *name, const char *text, double min, double max) {
  char *end;
  double value = strtod(text, &end);
  if (*text == '\0' || *end != '\0' || !(value >= min && value <= max)) {
    static char problem[160];
    snprintf(problem, sizeof problem, "%s must be a number in %g..%g, got '%s'", name, min, max,
             text);
    usage(problem);
  }
  return value;
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i += 2) {
    const char *name = argv[i];
    if (i + 1 >= argc) usage("every flag takes a value");
    const char *value = argv[i + 1];
    if (!strcmp(name, "--host")) cfg.host = value;
    else if (!strcmp(name, "--port")) cfg.port = value;
    else if (!strcmp(name, "--unix")) cfg.unix_path = value;
    else if (!strcmp(name, "--mode")) {
      if (!strcmp(value, "ping-pong")) cfg.mode = PING_PONG;
      else if (!strcmp(value, "connection-rate")) cfg.mode = CONNECTION_RATE;
      else usage("--mode is ping-pong or connection-rate");
    } else if (!strcmp(name, "--connections"))
      cfg.connections = (uint32_t)number(name, value, 1, 100000);
    else if (!strcmp(name, "--size")) cfg.size = (uint32_t)number(name, value, 1, READ_BUFFER_SIZE);
    else if (!strcmp(name, "--warmup-ms")) cfg.warmup_ns = (int64_t)(number(name, value, 0, 600000) * MS);
    else if (!strcmp(name, "--window-ms")) cfg.window_ns = (int64_t)(number(name, value, 1, 600000) * MS);
    else if (!strcmp(name, "--windows")) cfg.windows = (uint32_t)number(name, value, 1, 1000);
    else if (!strcmp(name, "--ramp-timeout-ms"))
      cfg.ramp_timeout_ns = (int64_t)(number(name, value, 0, 600000) * MS);
    else if (!strcmp(name, "--histogram-growth")) cfg.histogram_growth = number(name, value, 1.0001, 10);
    else if (!strcmp(name, "--histogram-buckets"))
      cfg.histogram_buckets = (uint32_t)number(name, value, 1, 1000000);
    else if (!strcmp(name, "--send-buffer")) cfg.send_buffer = (int)number(name, value, 1, 1 << 24);
    else usage("unknown flag");
  }
  if (!cfg.port == !cfg.unix_path) usage("give --port or --unix, not both");
  if (!cfg.connections || !cfg.window_ns || !cfg.windows || !cfg.histogram_buckets ||
      cfg.histogram_growth == 0)
    usage("missing flag");
}

/* Dies with the runner (it is our parent: taskset execs us), and in any case after a bounded time. */
static void bound_lifetime(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) exit(4);
  int64_t total = cfg.ramp_timeout_ns + cfg.warmup_ns + (int64_t)cfg.windows * cfg.window_ns +
                  SAMPLED_TIMEOUT_NS + CLOSE_GRACE_NS;
  alarm((unsigned)(total / 1000000000LL) + 30);
}

/* Fills `target` from --unix or --host/--port; prints why not and returns -1 when it cannot. */
static int resolve_target(void) {
  if (cfg.unix_path) {
    struct sockaddr_un *un = (struct sockaddr_un *)&target.address;
    size_t length = strlen(cfg.unix_path);
    if (length == 0 || length >= sizeof un->sun_path) {
      fprintf(stderr, "pingpong: --unix path must be 1..%zu bytes\n", sizeof un->sun_path - 1);
      return -1;
    }
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, cfg.unix_path, length + 1);
    target.family = AF_UNIX;
    target.length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length + 1);
    return 0;
  }
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
  struct addrinfo *found;
  int gai = getaddrinfo(cfg.host, cfg.port, &hints, &found);
  if (gai != 0) {
    fprintf(stderr, "pingpong: %s:%s: %s\n", cfg.host, cfg.port, gai_strerror(gai));
    return -1;
  }
  target.family = found->ai_family;
  target.length = found->ai_addrlen;
  memcpy(&target.address, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  return 0;
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  bound_lifetime();
  signal(SIGPIPE, SIG_IGN);
  /* Like Node, use every descriptor the hard limit allows. */
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  if (resolve_target() != 0) return 2;
  histogram_scale = 1 / log(cfg.histogram_growth);
  ep = epoll_create1(EPOLL_CLOEXEC);
  conns = calloc(cfg.connections, sizeof *conns);
  uint8_t *messages = malloc((size_t)cfg.connections * cfg.size);
  struct window *windows = calloc(cfg.windows, sizeof *windows);
  uint64_t *histograms = calloc((size_t)(cfg.windows + 1) * cfg.histogram_buckets, sizeof *histograms);
  if (ep < 0 || !conns || !messages || !windows || !histograms) {
    perror("pingpong: setup");
    return 3;
  }
  for (uint32_t i = 0; i < cfg.connections; i++) {
    conns[i].fd = -1;
    conns[i].message = messages + (size_t)i * cfg.size;
  }
  uint64_t *scratch = histograms + (size_t)cfg.windows * cfg.histogram_buckets;
  tally.histogram = scratch;

  int64_t start = now_ns();
  double ramp_ms = -1; /* none: connection rate has no ramp */
  ramp_deadline = start + cfg.ramp_timeout_ns;
  if (cfg.mode == PING_PONG) {
    ramp_progress_at = start;
    ramping = 1;
    run_until(ramp_deadline, ramp_done);
    /* Ramp over: every served connection, quiet since its first echo, starts now. */
    int64_t now = now_ns();
    ramp_ms = (double)(now - start) / MS;
    ramping = 0;
    for (uint32_t i = 0; i < cfg.connections; i++) {
      struct conn *c = &conns[i];
      if (c->state == OPEN && !c->awaiting && !tally.corruption[0]) conn_send_next(c, now);
    }
    for (uint32_t i = 0; i < cfg.connections; i++) conns[i].exchanges_before = conns[i].exchanges;
  } else {
    for (uint32_t i = 0; i < cfg.connections; i++) conn_open(&conns[i], next_id++);
  }

  run_until(now_ns() + cfg.warmup_ns, NULL);

  uint32_t measured = 0;
  double load_cpu_percent = 0;
  uint64_t served = tally.served;
  if (!tally.corruption[0]) {
    puts("measure start");
    fflush(stdout);
    double cpu_start = cpu_seconds();
    int64_t span_start = now_ns();
    for (; measured < cfg.windows && !tally.corruption[0]; measured++) {
      struct window *w = &windows[measured];
      uint64_t messages_before = tally.messages, bytes_before = tally.bytes;
      uint64_t cycles_before = tally.cycles;
      w->histogram = histograms + (size_t)measured * cfg.histogram_buckets;
      tally.histogram = w->histogram;
      int64_t window_start = now_ns();
      run_until(window_start + cfg.window_ns, NULL);
      w->ms = (double)(now_ns() - window_start) / MS;
      w->messages = tally.messages - messages_before;
      w->bytes = tally.bytes - bytes_before;
      w->cycles = tally.cycles - cycles_before;
    }
    tally.histogram = scratch;
    double span_ms = (double)(now_ns() - span_start) / MS;
    load_cpu_percent = span_ms > 0 ? (cpu_seconds() - cpu_start) * 1e5 / span_ms : 0;
    if (cfg.mode == PING_PONG) {
      served = 0;
      for (uint32_t i = 0; i < cfg.connections; i++)
        served += conns[i].exchanges > conns[i].exchanges_before;
    } else {
      served = tally.served;
    }
    puts("measure end");
    fflush(stdout);
    /* Keep the load on until the runner has sampled the server: closing now
       would end the server's per-connection threads before it looks. */
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = STDIN_TAG};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev) == 0)
      run_until(now_ns() + SAMPLED_TIMEOUT_NS, is_sampled);
  }

  tally.stopping = 1;
  for (uint32_t i = 0; i < cfg.connections; i++) {
    struct conn *c = &conns[i];
    if (c->state == CONNECTING) conn_close(c);
    else if (c->state == RETRY) c->state = FREE;
    else if (c->state == OPEN) conn_finish(c);
  }
  run_until(now_ns() + CLOSE_GRACE_NS, all_closed);
  for (uint32_t i = 0; i < cfg.connections; i++) conn_close(&conns[i]);

  print_result(windows, measured, served, ramp_ms, load_cpu_percent);
  return 0;
}
