"""Keeps, from a FileDescriptorSet, the messages and enums that the named RPCs reach.

Usage: prune.py IN.pb OUT.pb SERVICE METHOD...
Writes OUT.pb with every file that still defines something, and prints their names.
Services are dropped (the Swift client names its methods itself); field numbers and
names are untouched, so what is kept reads and writes the same bytes as the full API.
"""
import sys
from google.protobuf import descriptor_pb2

source, target, service_name, *methods = sys.argv[1:]
files = descriptor_pb2.FileDescriptorSet()
with open(source, "rb") as handle:
    files.ParseFromString(handle.read())

# Every message and enum by its full name, with the file that defines it.
definitions = {}


def collect(prefix, messages, enums, file_name):
    for enum in enums:
        definitions[f"{prefix}.{enum.name}"] = (file_name, enum)
    for message in messages:
        name = f"{prefix}.{message.name}"
        definitions[name] = (file_name, message)
        collect(name, message.nested_type, message.enum_type, file_name)


for proto in files.file:
    collect(f".{proto.package}", proto.message_type, proto.enum_type, proto.name)

roots = []
for proto in files.file:
    for service in proto.service:
        if f"{proto.package}.{service.name}" != service_name:
            continue
        known = {method.name: method for method in service.method}
        for name in methods:
            if name not in known:
                sys.exit(f"{service_name} has no method {name}")
            roots += [known[name].input_type, known[name].output_type]
if not roots:
    sys.exit(f"no service {service_name}")

reached = set()
pending = list(roots)
while pending:
    name = pending.pop()
    if name in reached:
        continue
    reached.add(name)
    _, definition = definitions[name]
    if isinstance(definition, descriptor_pb2.DescriptorProto):
        # A nested type is reached through its parent's fields, or not needed.
        for field in definition.field:
            if field.type_name:
                pending.append(field.type_name)
        # Map entries and nested types used only by fields are reached above; the parent of a
        # reached nested type must be kept so the nested one has a home.
    parent = name.rsplit(".", 1)[0]
    if parent in definitions:
        pending.append(parent)


def prune(prefix, container, field):
    kept = [item for item in getattr(container, field) if f"{prefix}.{item.name}" in reached]
    del getattr(container, field)[:]
    getattr(container, field).extend(kept)
    return kept


def prune_message(prefix, message):
    for nested in prune(prefix, message, "nested_type"):
        prune_message(f"{prefix}.{nested.name}", nested)
    prune(prefix, message, "enum_type")


pruned = descriptor_pb2.FileDescriptorSet()
defined_in = {}
for proto in files.file:
    prefix = f".{proto.package}"
    for message in prune(prefix, proto, "message_type"):
        prune_message(f"{prefix}.{message.name}", message)
    prune(prefix, proto, "enum_type")
    del proto.service[:]
    del proto.extension[:]
    if proto.message_type or proto.enum_type or proto.name.startswith("google/protobuf/"):
        pruned.file.append(proto)

kept_files = {proto.name for proto in pruned.file}
for proto in pruned.file:
    used = set()

    def uses(messages):
        for message in messages:
            for field in message.field:
                if field.type_name:
                    used.add(definitions[field.type_name][0])
            uses(message.nested_type)

    uses(proto.message_type)
    used.discard(proto.name)
    dependencies = [name for name in proto.dependency if name in used and name in kept_files]
    del proto.dependency[:]
    proto.dependency.extend(dependencies)
    del proto.public_dependency[:]
    del proto.weak_dependency[:]

with open(target, "wb") as handle:
    handle.write(pruned.SerializeToString())
for proto in pruned.file:
    if not proto.name.startswith("google/"):
        print(proto.name)
