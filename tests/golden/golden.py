#!/usr/bin/python3
"""golden.py -- run command scripts against stock redis-server and ferry,
compare the raw reply bytes.

Usage:
    golden.py [options] FERRY_STORE_REPL SCRIPT...
    golden.py [options] --self-check SCRIPT...

A SCRIPT is a script file or a directory (every *.txt in it, sorted).

The reference is a stock redis-server started by this script (127.0.0.1, a
free port, --save '' --appendonly no, a temporary directory; killed by PID at
the end, also on failure).  The candidate is ferry-store-repl, the store
behind a pair of pipes: a fresh (empty) process per script file.  With
--self-check the candidate is a second redis-server instead: every reply
must then match, which proves the scripts are deterministic.

Script syntax (one command per line, redis-cli quoting: "double quotes" with
\\n \\r \\t \\b \\a \\\\ \\" \\xHH escapes, 'single quotes' with \\' only):

    # comment      ignored, as are blank lines
    SET k v        sent to both, one reply read from each, raw bytes compared

Modifiers (apply to the next command, or to the rest of the same line):
    !sort          the reply is an unordered aggregate: sort its elements
                   (a map, %, is sorted by pairs)
    !sortpairs     the reply is a flat array of pairs (HGETALL in RESP2):
                   sort the pairs
    !sortscan      the reply is [cursor, array] (SCAN, SSCAN): sort the array
    !sortscanpairs the reply is [cursor, flat pairs] (HSCAN, ZSCAN)
    !ignore        send to both, compare nothing (TIME, ...)
    !shape         compare the structure only (types and lengths, not values)
    !within LO HI  both replies are integers in [LO, HI] (PTTL after PX)
    !hello         a HELLO reply: same map keys in the same order, same values
                   except server, version and id

Directives (a line of their own):
    !flushall      FLUSHALL on both (must answer +OK)
    !sleep MS      pause
    !resp3 / !resp2  HELLO 3 / HELLO 2 on both, compared as !hello
    !raw STRING    send STRING (after unquoting) as raw bytes, one reply each,
                   compared (inline commands, protocol errors)
    !eof           both sides must close the connection now (after QUIT or
                   a protocol error), with no further bytes
    !reconnect     a new connection to redis-server, a new ferry-store-repl,
                   both flushed (ferry must have exited with status 0)

Exit status: 0 when everything matched, 1 on any mismatch or failure (also
when redis-server is not installed), 2 on a usage or script error.
"""

import argparse
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DEFAULT_TIMEOUT = 10.0
EOF_WAIT = 3.0
HELLO_VOLATILE = (b"server", b"version", b"id")


class ScriptError(Exception):
    """A malformed script line (the script's fault, not ferry's)."""


class Incomplete(Exception):
    """The buffer does not hold a full reply yet."""


class ProtocolError(Exception):
    """The bytes are not RESP."""


class SideFailure(Exception):
    """A side did not answer: timeout, EOF, crash."""


# ---- RESP reader ----------------------------------------------------------

class Node:
    """One parsed reply: its type byte, payload or children, raw bytes.

    For line types (+ - : _ , # ( ) 'line' is the payload; for blob types
    ($ ! =) 'blob' is the payload (None for a null); aggregates (* ~ > % |)
    have 'children' (None for a RESP2 null array).  An attribute (|) is kept
    in 'attr' of the value that follows it."""

    __slots__ = ("type", "line", "blob", "children", "raw", "attr")

    def __init__(self, type_):
        self.type = type_
        self.raw = None
        self.line = None
        self.blob = None
        self.children = None
        self.attr = None


LINE_TYPES = b"+-:_,#("
BLOB_TYPES = b"$!="
AGG_TYPES = b"*~>%|"


def _read_line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete()
    return buf[pos:end], end + 2


def _parse_int(s):
    try:
        return int(s)
    except ValueError:
        raise ProtocolError("bad length %r" % s)


def parse_reply(buf, pos=0):
    """Parse one complete reply starting at buf[pos].

    Returns (Node, next_pos); raises Incomplete when more bytes are needed."""
    if pos >= len(buf):
        raise Incomplete()
    start = pos
    t = buf[pos]
    line, pos = _read_line(buf, pos + 1)
    if t in LINE_TYPES:
        node = Node(t)
        node.line = line
    elif t in BLOB_TYPES:
        n = _parse_int(line)
        node = Node(t)
        if n >= 0:
            if len(buf) < pos + n + 2:
                raise Incomplete()
            if buf[pos + n:pos + n + 2] != b"\r\n":
                raise ProtocolError("blob not terminated by CRLF")
            node.blob = buf[pos:pos + n]
            pos += n + 2
        elif t != ord("$") or n != -1:
            raise ProtocolError("bad blob length %d" % n)
    elif t in AGG_TYPES:
        n = _parse_int(line)
        node = Node(t)
        if n >= 0:
            count = n * 2 if t in b"%|" else n
            node.children = []
            for _ in range(count):
                child, pos = parse_reply(buf, pos)
                node.children.append(child)
        elif t != ord("*") or n != -1:
            raise ProtocolError("bad aggregate length %d" % n)
    else:
        raise ProtocolError("unknown type byte %r" % bytes([t]))
    if t == ord("|"):
        # An attribute decorates the value that follows it.
        node.raw = buf[start:pos]
        value, pos = parse_reply(buf, pos)
        value.attr = node
        value.raw = buf[start:pos]
        return value, pos
    node.raw = buf[start:pos]
    return node, pos


def aggregate_header(node):
    """The header line of an aggregate, e.g. b'*3\\r\\n' (map counts pairs)."""
    n = len(node.children)
    if node.type in b"%|":
        n //= 2
    return bytes([node.type]) + str(n).encode() + b"\r\n"


def _attr_prefix(node):
    """The raw bytes of the attribute in front of 'node', if any."""
    return node.attr.raw if node.attr is not None else b""


def sorted_raw(node, pairs, scan):
    """Raw bytes of 'node' with the unordered part sorted.

    scan: the reply is [cursor, aggregate]: sort the inner aggregate.
    pairs: sort consecutive pairs instead of single elements (always for
    maps)."""
    if node.children is None:
        return node.raw
    if scan:
        if len(node.children) != 2 or node.children[1].children is None:
            return node.raw
        cursor, inner = node.children
        inner_raw = sorted_raw(inner, pairs, False)
        return (_attr_prefix(node) + aggregate_header(node) + cursor.raw
                + inner_raw)
    kids = node.children
    if pairs or node.type == ord("%"):
        if len(kids) % 2:
            return node.raw
        units = [kids[i].raw + kids[i + 1].raw
                 for i in range(0, len(kids), 2)]
    else:
        units = [k.raw for k in kids]
    units.sort()
    return _attr_prefix(node) + aggregate_header(node) + b"".join(units)


def shape(node):
    """A structural summary: types and lengths, no leaf values."""
    if node.children is not None:
        return (node.type, tuple(shape(c) for c in node.children))
    if node.type in BLOB_TYPES:
        return (node.type, node.blob is None)
    return (node.type,)


# ---- the two sides --------------------------------------------------------

class Side:
    """A request/reply stream: write bytes, read whole replies."""

    starts_empty = False    # a fresh process needs no FLUSHALL

    def __init__(self, name, rfd, wfd):
        self.name = name
        self.rfd = rfd
        self.wfd = wfd
        self.buf = b""

    def exchange(self, data, timeout):
        """Send 'data' and return the Node of exactly one reply."""
        deadline = time.monotonic() + timeout
        pending = memoryview(data)
        while True:
            if not pending:
                try:
                    node, end = parse_reply(self.buf)
                except Incomplete:
                    pass
                except ProtocolError as e:
                    raise SideFailure("%s sent bad RESP: %s ('%s')" % (
                        self.name, e, repr_bytes(self.buf, 200)))
                else:
                    self.buf = self.buf[end:]
                    return node
            left = deadline - time.monotonic()
            if left <= 0:
                raise SideFailure("%s: no complete reply within %.1fs "
                                  "(got '%s')" % (
                                      self.name, timeout,
                                      repr_bytes(self.buf, 200)))
            wl = [self.wfd] if pending else []
            r, w, _ = select.select([self.rfd], wl, [], left)
            if w:
                try:
                    n = os.write(self.wfd, pending[:65536])
                except (BrokenPipeError, ConnectionError) as e:
                    raise SideFailure("%s: write failed: %s"
                                      % (self.name, e))
                pending = pending[n:]
            if r:
                try:
                    chunk = os.read(self.rfd, 1 << 20)
                except ConnectionError as e:
                    raise SideFailure("%s: read failed: %s"
                                      % (self.name, e))
                if not chunk:
                    raise SideFailure("%s: connection closed (EOF) before "
                                      "a full reply (got '%s')" % (
                                          self.name,
                                          repr_bytes(self.buf, 200)))
                self.buf += chunk

    def wait_eof(self, timeout):
        """None once the other end closed the stream (after any buffered
        bytes were consumed), else a description of what happened."""
        if self.buf:
            return "unread bytes %s" % repr_bytes(self.buf, 200)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "still open after %.1fs" % timeout
            r, _, _ = select.select([self.rfd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self.rfd, 65536)
            except ConnectionError:
                return None
            if not chunk:
                return None
            return "more bytes %s" % repr_bytes(chunk, 200)

    def close(self):
        pass

    def post_mortem(self):
        """Extra text for the report after a failure (stderr, exit code)."""
        return ""


class RedisSide(Side):
    def __init__(self, name, port, timeout):
        sock = socket.create_connection(("127.0.0.1", port), timeout)
        sock.setblocking(False)
        self.sock = sock
        super().__init__(name, sock.fileno(), sock.fileno())

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class ReplSide(Side):
    starts_empty = True

    def __init__(self, name, path, tmpdir):
        self.errf = tempfile.TemporaryFile(dir=tmpdir)
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=self.errf, bufsize=0)
        os.set_blocking(self.proc.stdin.fileno(), False)
        super().__init__(name, self.proc.stdout.fileno(),
                         self.proc.stdin.fileno())
        self.rc = None

    def close(self, timeout=10.0):
        """Close stdin, wait for the exit; returns the exit status."""
        if self.rc is not None:
            return self.rc
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.rc = self.proc.wait()
        self.proc.stdout.close()
        return self.rc

    def stderr_text(self, limit=6000):
        """The process's stderr; the start of it when long (a sanitizer
        report starts with the stack that matters)."""
        self.errf.seek(0)
        data = self.errf.read()
        if len(data) > limit:
            data = data[:limit] + b"\n... (%d bytes)" % len(data)
        return data.decode("utf-8", "replace")

    def post_mortem(self):
        rc = self.close(timeout=5.0)
        text = "%s exit status %s" % (self.name, describe_rc(rc))
        err = self.stderr_text()
        if err:
            text += "; stderr:\n" + indent(err, "      ")
        return text


def describe_rc(rc):
    if rc is None:
        return "?"
    if rc < 0:
        try:
            return "%d (%s)" % (rc, signal.Signals(-rc).name)
        except ValueError:
            return str(rc)
    return str(rc)


def indent(text, prefix):
    return "".join(prefix + l + "\n" for l in text.rstrip("\n").split("\n"))


# ---- redis-server ---------------------------------------------------------

_servers = []


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A stock redis-server of our own, on 127.0.0.1 and a free port."""

    def __init__(self, binary, tmpdir, tag):
        self.dir = os.path.join(tmpdir, tag)
        os.mkdir(self.dir)
        self.proc = None
        last = None
        for _ in range(5):
            self.port = free_port()
            self.log = os.path.join(self.dir, "redis.log")
            args = [binary, "--bind", "127.0.0.1", "--port",
                    str(self.port), "--save", "", "--appendonly", "no",
                    "--dir", self.dir, "--daemonize", "no",
                    "--logfile", self.log, "--protected-mode", "yes"]
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL,
                                         stderr=subprocess.STDOUT)
            _servers.append(self)
            try:
                self._wait_ready()
                return
            except RuntimeError as e:
                last = e
                self.stop()
        raise RuntimeError("cannot start %s: %s" % (binary, last))

    def _wait_ready(self):
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("exited with %s; log:\n%s" % (
                    self.proc.returncode, self.log_tail()))
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              0.5) as s:
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("not answering PING on port %d" % self.port)

    def log_tail(self):
        try:
            with open(self.log, "rb") as f:
                return f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        """Kill by PID (TERM, then KILL)."""
        p = self.proc
        if p is None or p.poll() is not None:
            return
        try:
            os.kill(p.pid, signal.SIGTERM)
            p.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
        except ProcessLookupError:
            pass


def stop_servers():
    for s in _servers:
        s.stop()


def redis_version(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True,
                             timeout=10).stdout.decode()
    except (OSError, subprocess.TimeoutExpired):
        return None
    for word in out.split():
        if word.startswith("v="):
            return word[2:]
    return out.strip()


# ---- scripts --------------------------------------------------------------

_ESC = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}


def split_args(line):
    """Split a line as redis-cli does (sdssplitargs); tokens are bytes."""
    args = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i].isspace():
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        if line[i] == '"':
            i += 1
            while True:
                if i >= n:
                    raise ScriptError("unbalanced double quote")
                ch = line[i]
                if (ch == "\\" and i + 3 < n and line[i + 1] == "x"
                    and all(h in "0123456789abcdefABCDEF"
                            for h in line[i + 2:i + 4])):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 4
                elif ch == "\\" and i + 1 < n:
                    c2 = line[i + 1]
                    cur += _ESC.get(c2, c2).encode()
                    i += 2
                elif ch == '"':
                    i += 1
                    if i < n and not line[i].isspace():
                        raise ScriptError(
                            "closing quote must be "
                            "followed by a space")
                    break
                else:
                    cur += ch.encode()
                    i += 1
        elif line[i] == "'":
            i += 1
            while True:
                if i >= n:
                    raise ScriptError("unbalanced single quote")
                ch = line[i]
                if ch == "\\" and i + 1 < n and line[i + 1] == "'":
                    cur.append(ord("'"))
                    i += 2
                elif ch == "'":
                    i += 1
                    if i < n and not line[i].isspace():
                        raise ScriptError(
                            "closing quote must be "
                            "followed by a space")
                    break
                else:
                    cur += ch.encode()
                    i += 1
        else:
            while i < n and not line[i].isspace():
                cur += line[i].encode()
                i += 1
        args.append(bytes(cur))


def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def repr_bytes(b, limit=None):
    """Bytes as text with \\r \\n and \\xHH escapes."""
    if limit is not None and len(b) > limit:
        return repr_bytes(b[:limit]) + "... (%d bytes)" % len(b)
    out = []
    for ch in b:
        if ch == 13:
            out.append("\\r")
        elif ch == 10:
            out.append("\\n")
        elif ch == 9:
            out.append("\\t")
        elif ch == 92:
            out.append("\\\\")
        elif 32 <= ch < 127:
            out.append(chr(ch))
        else:
            out.append("\\x%02x" % ch)
    return "".join(out)


MODIFIERS = ("sort", "sortpairs", "sortscan", "sortscanpairs", "ignore",
             "shape", "within", "hello")


class Step:
    """One command to run: its line, bytes to send and comparison mode."""

    __slots__ = ("lineno", "text", "data", "mode", "arg")

    def __init__(self, lineno, text, data, mode=None, arg=None):
        self.lineno = lineno
        self.text = text
        self.data = data
        self.mode = mode
        self.arg = arg


def parse_directive(lineno, line):
    """A '!' line: (Step, None) for a directive, (None, (mode, arg)) for
    a modifier alone on its line, (Step, None) for a modifier followed by
    its command on the same line."""
    word, _, rest = line[1:].partition(" ")
    word, rest = word.lower(), rest.strip()
    if word in MODIFIERS:
        arg = None
        if word == "within":
            parts = rest.split(None, 2)
            if len(parts) < 2:
                raise ScriptError("usage: !within LO HI [COMMAND]")
            arg = (int(parts[0]), int(parts[1]))
            rest = parts[2] if len(parts) > 2 else ""
        if not rest:
            return None, (word, arg)
        data = encode_command(split_args(rest))
        return Step(lineno, rest, data, word, arg), None
    if word == "flushall":
        data = encode_command([b"FLUSHALL"])
        return Step(lineno, "FLUSHALL", data, "flushall"), None
    if word in ("reconnect", "eof"):
        if rest:
            raise ScriptError("!%s takes no argument" % word)
        return Step(lineno, line, None, word), None
    if word == "sleep":
        return Step(lineno, line, None, "sleep", int(rest)), None
    if word in ("resp2", "resp3"):
        proto = word[-1]
        data = encode_command([b"HELLO", proto.encode()])
        return Step(lineno, "HELLO " + proto, data, "hello"), None
    if word == "raw":
        args = split_args(rest)
        if len(args) != 1:
            raise ScriptError("!raw takes one quoted string")
        return Step(lineno, "(raw) " + rest, args[0]), None
    raise ScriptError("unknown directive !%s" % word)


def parse_script(path):
    """Read a script into a list of Steps."""
    steps = []
    pending = None      # (mode, arg) of a modifier alone on its line
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if line.startswith("!"):
                if pending is not None:
                    raise ScriptError("a modifier must be followed by a "
                                      "command")
                step, pending = parse_directive(lineno, line)
                if step is not None:
                    steps.append(step)
                continue
            data = encode_command(split_args(line))
        except (ScriptError, ValueError) as e:
            raise ScriptError("%s:%d: %s" % (path, lineno, e))
        mode, arg = pending if pending else (None, None)
        pending = None
        steps.append(Step(lineno, line, data, mode, arg))
    if pending is not None:
        raise ScriptError("%s: modifier at the end of the file" % path)
    return steps


# ---- comparison -----------------------------------------------------------

def hello_fields(node):
    """HELLO reply as a list of (key, raw value), or None if not a map."""
    if node.children is None or node.type not in b"*%":
        return None
    kids = node.children
    if len(kids) % 2:
        return None
    out = []
    for i in range(0, len(kids), 2):
        key = kids[i].blob if kids[i].type in BLOB_TYPES else kids[i].line
        out.append((key, kids[i + 1]))
    return out


def compare(step, exp, act):
    """None if the replies agree under the step's mode, else a reason."""
    mode = step.mode
    if mode == "ignore":
        return None
    if mode == "shape":
        if shape(exp) == shape(act):
            return None
        return "different structure"
    if mode == "within":
        lo, hi = step.arg
        for who, node in (("expected", exp), ("actual", act)):
            if node.type != ord(":"):
                if exp.raw == act.raw:
                    return None
                return "%s reply is not an integer" % who
            v = int(node.line)
            if not lo <= v <= hi:
                return "%s %d not within [%d, %d]" % (who, v, lo, hi)
        return None
    if mode == "hello":
        ef, af = hello_fields(exp), hello_fields(act)
        if ef is None or af is None or exp.type != act.type:
            if exp.raw == act.raw:
                return None
            return "not the same kind of HELLO reply"
        if [k for k, _ in ef] != [k for k, _ in af]:
            return "different HELLO fields"
        for (k, ev), (_, av) in zip(ef, af):
            if k in HELLO_VOLATILE:
                if ev.type != av.type:
                    return "HELLO field %s has another type" % k.decode()
            elif ev.raw != av.raw:
                return "HELLO field %s differs" % k.decode()
        return None
    if mode in ("sort", "sortpairs", "sortscan", "sortscanpairs"):
        pairs = mode.endswith("pairs")
        scan = mode.startswith("sortscan")
        e, a = sorted_raw(exp, pairs, scan), sorted_raw(act, pairs, scan)
    else:
        e, a = exp.raw, act.raw
    return None if e == a else "reply differs"


class FileResult:
    def __init__(self, name):
        self.name = name
        self.commands = 0
        self.mismatches = []    # (step, reason, expected raw, actual raw)
        self.failure = None     # text: the file was abandoned


def open_pair(make_ref, make_cand, timeout):
    """Connect both sides and make sure both keyspaces are empty."""
    ref = make_ref()
    try:
        cand = make_cand()
    except BaseException:
        ref.close()
        raise
    for side in (ref, cand):
        if side.starts_empty:
            continue
        why = None
        try:
            node = side.exchange(encode_command([b"FLUSHALL"]), timeout)
            if node.raw != b"+OK\r\n":
                why = "%s: FLUSHALL answered %s" % (
                    side.name, repr_bytes(node.raw, 200))
        except SideFailure as e:
            why = str(e)
        if why is not None:
            ref.close()
            extra = cand.post_mortem()
            cand.close()
            raise SideFailure(why + ("\n    " + extra if extra else ""))
    return ref, cand


def close_pair(ref, cand):
    """Disconnect; a text if the candidate process exited badly."""
    ref.close()
    rc = cand.close()
    if isinstance(cand, ReplSide) and rc not in (0, None):
        return ("%s exited with status %s; stderr:\n%s"
                % (cand.name, describe_rc(rc),
                   indent(cand.stderr_text() or "(empty)", "      ")))
    return None


def run_file(path, make_ref, make_cand, timeout, verbose):
    res = FileResult(os.path.basename(path))
    steps = parse_script(path)
    ref = cand = None
    try:
        ref, cand = open_pair(make_ref, make_cand, timeout)
        for st in steps:
            if st.mode == "sleep":
                time.sleep(st.arg / 1000.0)
                continue
            if st.mode == "reconnect":
                pair, ref, cand = (ref, cand), None, None
                bad = close_pair(*pair)
                if bad:
                    res.failure = "line %d (!reconnect): %s" % (
                        st.lineno, bad)
                    return res
                ref, cand = open_pair(make_ref, make_cand, timeout)
                continue
            if st.mode == "eof":
                res.commands += 1
                e_why = ref.wait_eof(EOF_WAIT)
                a_why = cand.wait_eof(EOF_WAIT)
                if e_why != a_why:
                    res.mismatches.append((
                        st, "connection end differs",
                        (e_why or "closed").encode(),
                        (a_why or "closed").encode()))
                continue
            exp = ref.exchange(st.data, timeout)
            if verbose:
                print("  %s:%d %s\n      -> %s" % (
                    res.name, st.lineno, st.text, repr_bytes(exp.raw, 300)))
            try:
                act = cand.exchange(st.data, timeout)
            except SideFailure as e:
                res.failure = ("line %d: %s\n    command: %s\n"
                               "    expected: %s\n    %s" % (
                                   st.lineno, e, st.text,
                                   repr_bytes(exp.raw, 2000),
                                   cand.post_mortem()))
                return res
            res.commands += 1
            if st.mode == "flushall":
                why = None if (exp.raw == act.raw == b"+OK\r\n") \
                    else "FLUSHALL failed"
            else:
                why = compare(st, exp, act)
            if why is not None:
                res.mismatches.append((st, why, exp.raw, act.raw))
            if cand.buf and not ref.buf and not st.text.startswith("(raw)"):
                # More than one reply to one command: report the extra
                # bytes and drop them, so the next replies stay paired.
                res.mismatches.append((st, "extra bytes after the reply",
                                       b"", cand.buf))
                cand.buf = b""
    except SideFailure as e:
        res.failure = str(e)
        if cand is not None:
            res.failure += "\n    " + cand.post_mortem()
    finally:
        if ref is not None and cand is not None:
            bad = close_pair(ref, cand)
            if bad and res.failure is None:
                res.failure = "at the end: " + bad
    return res


def collect_scripts(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if f.endswith(".txt"))
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise ScriptError("no such script or directory: %s" % p)
    if not files:
        raise ScriptError("no script files in %s" % ", ".join(paths))
    return files


def report(results, cand_name):
    total_cmds = total_bad = 0
    failed = False
    print()
    for r in results:
        bad = len(r.mismatches)
        total_cmds += r.commands
        total_bad += bad
        status = "ok"
        if bad or r.failure:
            status = "FAIL"
            failed = True
        print("%-28s %5d commands, %3d mismatches  %s"
              % (r.name, r.commands, bad, status))
        for st, why, e, a in r.mismatches:
            text = st.text if len(st.text) <= 300 else \
                st.text[:300] + "... (%d chars)" % len(st.text)
            print("  line %d: %s  [%s]" % (st.lineno, text, why))
            print("    expected: %s" % (repr_bytes(e, 2000) or "(nothing)"))
            print("    actual:   %s" % (repr_bytes(a, 2000) or "(nothing)"))
        if r.failure:
            print("  ABANDONED: " + r.failure.rstrip())
    print()
    print("%d files, %d commands, %d mismatches, %d files abandoned "
          "(reference: redis-server, candidate: %s)"
          % (len(results), total_cmds, total_bad,
             sum(1 for r in results if r.failure), cand_name))
    return failed


def main():
    ap = argparse.ArgumentParser(
        description="Compare ferry's replies with stock redis-server's.")
    ap.add_argument("--self-check", action="store_true",
                    help="compare redis-server with a second redis-server "
                    "(proves the scripts are deterministic)")
    ap.add_argument("--redis-server", default="/usr/bin/redis-server",
                    help="the reference binary (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    help="seconds to wait for one reply (default %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every command and the reference reply")
    ap.add_argument("paths", nargs="+", metavar="PATH",
                    help="FERRY_STORE_REPL (unless --self-check), then "
                    "script files or directories")
    opts = ap.parse_args()

    paths = list(opts.paths)
    repl = None
    if not opts.self_check:
        if len(paths) < 2:
            ap.error("need FERRY_STORE_REPL and at least one script")
        repl = os.path.abspath(paths.pop(0))
        if not os.access(repl, os.X_OK):
            print("golden: %s is not an executable" % repl,
                  file=sys.stderr)
            return 2
    try:
        files = collect_scripts(paths)
        for f in files:
            parse_script(f)     # syntax errors before anything runs
    except (ScriptError, OSError) as e:
        print("golden: %s" % e, file=sys.stderr)
        return 2

    binary = opts.redis_server
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        found = shutil.which("redis-server")
        if opts.redis_server == ap.get_default("redis_server") and found:
            binary = found
        else:
            print("golden: FAIL: redis-server not found at %s: install "
                  "it (Debian: apt-get install redis-server); the "
                  "golden test compares ferry with it" % binary,
                  file=sys.stderr)
            return 1
    version = redis_version(binary)
    print("reference: %s (version %s)" % (binary, version))
    if version and not version.startswith("7.0."):
        print("golden: warning: ferry targets Redis 7.0, this is %s"
              % version)

    def on_signal(signum, frame):
        stop_servers()
        sys.exit(1)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    tmpdir = tempfile.mkdtemp(prefix="ferry-golden-")
    try:
        try:
            ref_srv = RedisServer(binary, tmpdir, "ref")
            if opts.self_check:
                cand_srv = RedisServer(binary, tmpdir, "cand")
        except RuntimeError as e:
            print("golden: FAIL: %s" % e, file=sys.stderr)
            return 1

        def make_ref():
            return RedisSide("redis-server", ref_srv.port, opts.timeout)

        if opts.self_check:
            cand_name = "second redis-server (self-check)"
            # Shift the second server's client ids, so that a script that
            # compares an id (HELLO without !hello) fails here too.
            socket.create_connection(("127.0.0.1", cand_srv.port),
                                     opts.timeout).close()

            def make_cand():
                return RedisSide("redis-server#2", cand_srv.port,
                                 opts.timeout)
        else:
            cand_name = repl

            def make_cand():
                return ReplSide("ferry-store-repl", repl, tmpdir)

        results = []
        for f in files:
            if opts.verbose:
                print(f)
            results.append(run_file(f, make_ref, make_cand,
                                    opts.timeout, opts.verbose))
        return 1 if report(results, cand_name) else 0
    finally:
        stop_servers()
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
