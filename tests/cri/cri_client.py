#!/usr/bin/python3
"""A small CRI v1 client for ward's engine tests (Debian 12 has no crictl).

    cri_client.py --socket SOCK Service.Method [REQUEST-JSON | -]
    cri_client.py --check-against /usr/bin/containerd

The first form calls one RPC of RuntimeService or ImageService (names as in
the CRI API, e.g. RuntimeService.RunPodSandbox), with the request given as
JSON in protobuf's JSON mapping (field names as in the .proto or camelCase;
`-` reads it from stdin), and prints the reply as JSON with the .proto's
field names. ExecSync's stdout/stderr are printed as text, not base64.
A gRPC error prints `CODE: details` on stderr and exits 1.

The stubs are generated from cri_v1_min.proto (next to this file) with
grpc_tools.protoc when the client starts, into a temporary directory, or
into $CRI_STUB_DIR (reused there while newer than the .proto). Needs
python3-grpcio, python3-grpc-tools and python3-protobuf.

--check-against BINARY compares the field numbers and types of every message
in cri_v1_min.proto with the CRI v1 file descriptor a Go binary embeds
(containerd registers it gzip-compressed), and exits 1 on any difference.
"""

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile
import zlib

PROTO = "cri_v1_min.proto"
MODULE = "cri_v1_min_pb2"


def generate_stubs(out_dir):
    """Run protoc on the .proto and return (messages module, grpc module)."""
    from grpc_tools import protoc

    src = os.path.dirname(os.path.abspath(__file__))
    include = [os.path.join(os.path.dirname(protoc.__file__), "_proto")]
    include = [d for d in include if os.path.isdir(d)]
    args = ["protoc", "-I" + src] + ["-I" + d for d in include]
    args += ["--python_out=" + out_dir, "--grpc_python_out=" + out_dir, PROTO]
    if protoc.main(args) != 0:
        raise SystemExit("cri_client: protoc failed on %s" % os.path.join(src, PROTO))
    sys.path.insert(0, out_dir)
    return importlib.import_module(MODULE), importlib.import_module(MODULE + "_grpc")


def load_stubs():
    stub_dir = os.environ.get("CRI_STUB_DIR")
    if stub_dir:
        os.makedirs(stub_dir, exist_ok=True)
        proto = os.path.join(os.path.dirname(os.path.abspath(__file__)), PROTO)
        stub = os.path.join(stub_dir, MODULE + "_grpc.py")
        if os.path.exists(stub) and os.path.getmtime(stub) >= os.path.getmtime(proto):
            sys.path.insert(0, stub_dir)
            return importlib.import_module(MODULE), importlib.import_module(MODULE + "_grpc")
        return generate_stubs(stub_dir)
    tmp = tempfile.mkdtemp(prefix="cri-stubs.")
    try:
        return generate_stubs(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def decode_exec_output(obj):
    """ExecSync's bytes fields as text (protobuf's JSON mapping uses base64)."""
    for key in ("stdout", "stderr"):
        if isinstance(obj.get(key), bytes):
            obj[key] = obj[key].decode("utf-8", "replace")
    return obj


def to_dict(msg):
    """A reply as a dict with the .proto's field names; bytes stay bytes."""
    from google.protobuf import json_format

    # defaults included: SANDBOX_READY and CONTAINER_CREATED are enum value 0
    out = json_format.MessageToDict(msg, preserving_proto_field_name=True, including_default_value_fields=True)
    for field, value in msg.ListFields():
        if field.type == field.TYPE_BYTES:
            out[field.name] = value
    return decode_exec_output(out)


def call(args):
    import grpc
    from google.protobuf import json_format

    service, _, method = args.method.partition(".")
    if service not in ("RuntimeService", "ImageService") or not method:
        raise SystemExit("cri_client: expected RuntimeService.METHOD or ImageService.METHOD, got %r" % args.method)
    pb2, pb2_grpc = load_stubs()
    svc = pb2.DESCRIPTOR.services_by_name[service]
    if method not in svc.methods_by_name:
        raise SystemExit("cri_client: %s has no method %s in %s" % (service, method, PROTO))
    req_type = getattr(pb2, svc.methods_by_name[method].input_type.name)
    text = args.request
    if text == "-":
        text = sys.stdin.read()
    request = json_format.Parse(text or "{}", req_type())

    channel = grpc.insecure_channel("unix://" + os.path.abspath(args.socket))
    stub = getattr(pb2_grpc, service + "Stub")(channel)
    try:
        reply = getattr(stub, method)(request, timeout=args.timeout)
    except grpc.RpcError as e:
        print("%s: %s" % (e.code().name, e.details()), file=sys.stderr)
        return 1
    finally:
        channel.close()
    print(json.dumps(to_dict(reply), indent=1, sort_keys=True))
    return 0


def embedded_descriptor(binary, package):
    """The FileDescriptorProto of PACKAGE that a Go binary embeds gzip'ed."""
    from google.protobuf import descriptor_pb2

    with open(binary, "rb") as f:
        data = f.read()
    magic = b"\x1f\x8b\x08\x00\x00\x00\x00\x00"
    pos = data.find(magic)
    while pos >= 0:
        try:
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[pos:pos + (4 << 20)])
            fd = descriptor_pb2.FileDescriptorProto()
            fd.ParseFromString(raw)
            if fd.package == package and fd.service:
                return fd
        except Exception:  # not a descriptor: keep scanning
            pass
        pos = data.find(magic, pos + 1)
    return None


def flatten(messages, prefix=""):
    """{Message[.Nested]: {field name: (number, type, type_name, label)}}"""
    out = {}
    for m in messages:
        name = prefix + m.name
        out[name] = {f.name: (f.number, f.type, f.type_name, f.label) for f in m.field}
        out.update(flatten(m.nested_type, name + "."))
    return out


def check_against(binary):
    from google.protobuf import descriptor_pb2

    pb2, _ = load_stubs()
    mine = descriptor_pb2.FileDescriptorProto()
    pb2.DESCRIPTOR.CopyToProto(mine)
    real = embedded_descriptor(binary, mine.package)
    if real is None:
        print("cri_client: no %s descriptor found in %s" % (mine.package, binary), file=sys.stderr)
        return 2
    ours, theirs = flatten(mine.message_type), flatten(real.message_type)
    errors = []
    for msg, fields in sorted(ours.items()):
        if msg not in theirs:
            errors.append("message %s: not in %s" % (msg, binary))
            continue
        for name, spec in sorted(fields.items()):
            if name not in theirs[msg]:
                errors.append("%s.%s: no such field" % (msg, name))
            elif theirs[msg][name] != spec:
                errors.append("%s.%s: ours %s, real %s" % (msg, name, spec, theirs[msg][name]))
    real_enums = {e.name: {v.name: v.number for v in e.value} for e in real.enum_type}
    for e in mine.enum_type:
        for v in e.value:
            if real_enums.get(e.name, {}).get(v.name) != v.number:
                errors.append("enum %s.%s = %d: differs" % (e.name, v.name, v.number))
    real_methods = {s.name: {m.name: (m.input_type, m.output_type) for m in s.method} for s in real.service}
    for s in mine.service:
        for m in s.method:
            if real_methods.get(s.name, {}).get(m.name) != (m.input_type, m.output_type):
                errors.append("rpc %s.%s: differs" % (s.name, m.name))
    for e in errors:
        print(e, file=sys.stderr)
    nfields = sum(len(f) for f in ours.values())
    print("%d messages, %d fields checked against %s: %d differences" % (len(ours), nfields, binary, len(errors)))
    return 1 if errors else 0


def main():
    p = argparse.ArgumentParser(description="minimal CRI v1 client for ward's tests")
    p.add_argument("--socket", help="the CRI server's unix socket")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per call (60)")
    p.add_argument("--check-against", metavar="BINARY", help="compare the .proto with BINARY's embedded CRI descriptor")
    p.add_argument("method", nargs="?", help="Service.Method, e.g. RuntimeService.Version")
    p.add_argument("request", nargs="?", default="{}", help="request as JSON, or - for stdin")
    args = p.parse_args()
    if args.check_against:
        return check_against(args.check_against)
    if not args.socket or not args.method:
        p.error("--socket and a method are required")
    return call(args)


if __name__ == "__main__":
    sys.exit(main())
