#!/usr/bin/env python3
"""Generates io/jrunc/spec/SpecCodec.java from the record declarations in io/jrunc/spec.

Run from runtime-oci-spec/: python3 src/build/gen_codec.py   (with "-": to stdout, file untouched)
Why generated: binding ~45 record types through Jackson databind costs a reflective
introspection of every type on each fresh JVM (hundreds of ms); this straight-line code over
our own streaming In/Out (JsonScanner, no jackson class) needs none. SpecCodecTest checks it
against Jackson databind.
"""
import os
import re
import sys

SRC = "src/main/java/io/jrunc/spec"
OUT = os.path.join(SRC, "SpecCodec.java")


def split_top(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def parse_components(params):
    params = re.sub(r"/\*.*?\*/", "", params, flags=re.S)
    params = re.sub(r"//[^\n]*", "", params)
    comps = []
    for c in split_top(params):
        c = " ".join(c.split())
        json_name = None
        m = re.search(r'@JsonProperty\("([^"]+)"\)', c)
        if m:
            json_name = m.group(1)
        unsigned = "@Unsigned64" in c
        single = "ACCEPT_SINGLE_VALUE_AS_ARRAY" in c
        c = re.sub(r"@\w+(\((?:[^()]|\([^()]*\))*\))?\s*", "", c).strip()
        typ, name = c.rsplit(" ", 1)
        comps.append(dict(type=typ, name=name, json=json_name or name, unsigned=unsigned, single=single))
    return comps


records = {}  # qualified name -> dict(comps, order)
for fn in sorted(os.listdir(SRC)):
    if not fn.endswith(".java") or fn == "SpecCodec.java":
        continue
    text = open(os.path.join(SRC, fn)).read()
    outer = fn[:-5]
    order = None
    m = re.search(r"@JsonPropertyOrder\(\{([^}]*)\}\)", text)
    if m:
        order = [x.strip().strip('"') for x in m.group(1).split(",")]
    for m in re.finditer(r"public record (\w+)\((.*?)\)\s*\{", text, re.S):
        name = m.group(1)
        qual = name if name == outer else outer + "." + name
        records[qual] = dict(comps=parse_components(m.group(2)), order=order if name == outer else None, outer=outer)


def resolve(typ, ctx_outer):
    """Qualified record name for a simple type name used inside ctx_outer's file."""
    if ctx_outer + "." + typ in records:
        return ctx_outer + "." + typ
    if typ in records:
        return typ
    return None


def fn_name(qual):
    return "r" + qual.replace(".", "_")


def wfn_name(qual):
    return "w" + qual.replace(".", "_")


list_helpers = {}  # element qual -> True
map_helpers = {}


def reader_expr(typ, comp, outer):
    if comp and comp["unsigned"]:
        return "in.uint64()"
    if comp and comp["single"]:
        return "in.stringListOrString()"
    simple = {"String": "in.string()", "Long": "in.int64()", "Integer": "in.int32()", "Boolean": "in.bool()"}
    if typ in simple:
        return simple[typ]
    m = re.fullmatch(r"List<(.+)>", typ)
    if m:
        e = m.group(1)
        if e == "String":
            return "in.stringList()"
        if e == "Long":
            return "in.int64List()"
        q = resolve(e, outer)
        list_helpers[q] = True
        return "l%s(in)" % q.replace(".", "_")
    m = re.fullmatch(r"Map<String,\s*(.+)>", typ)
    if m:
        e = m.group(1)
        if e == "String":
            return "in.stringMap()"
        q = resolve(e, outer)
        map_helpers[q] = True
        return "m%s(in)" % q.replace(".", "_")
    q = resolve(typ, outer)
    if q:
        return "%s(in)" % fn_name(q)
    raise SystemExit("unsupported type " + typ)


def writer_stmt(typ, comp, outer, acc):
    key = '"%s"' % comp["json"]
    if comp["unsigned"]:
        return "out.uint64(%s, %s);" % (key, acc)
    simple = {"String": "out.string", "Long": "out.int64", "Integer": "out.int32", "Boolean": "out.bool"}
    if typ in simple:
        return "%s(%s, %s);" % (simple[typ], key, acc)
    m = re.fullmatch(r"List<(.+)>", typ)
    if m:
        e = m.group(1)
        if e == "String":
            return "out.stringList(%s, %s);" % (key, acc)
        if e == "Long":
            return "out.int64List(%s, %s);" % (key, acc)
        q = resolve(e, outer)
        return "wl%s(out, %s, %s);" % (q.replace(".", "_"), key, acc)
    m = re.fullmatch(r"Map<String,\s*(.+)>", typ)
    if m:
        e = m.group(1)
        if e == "String":
            return "out.stringMap(%s, %s);" % (key, acc)
        q = resolve(e, outer)
        return "wm%s(out, %s, %s);" % (q.replace(".", "_"), key, acc)
    q = resolve(typ, outer)
    if q:
        return "if (%s != null) {\n            out.name(%s);\n            %s(out, %s);\n        }" % (acc, key, wfn_name(q), acc)
    raise SystemExit("unsupported type " + typ)


def java_type(qual):
    return qual  # nested records are referenced as Outer.Inner


def qualify(typ, outer):
    """Rewrites simple names of records nested in `outer` to Outer.Inner."""
    for q in records:
        if "." in q and q.startswith(outer + "."):
            inner = q.split(".", 1)[1]
            typ = re.sub(r"(?<![\w.])%s(?![\w])" % inner, q, typ)
    return typ


lines = []
emit = lines.append
emit("""package io.jrunc.spec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GENERATED by src/build/gen_codec.py from the record declarations; do not edit.
 *
 * <p>Reads and writes the spec records over {@link In} and {@link Out} (our own tokenizer and
 * writer, no jackson class), field by field, with exactly the mapping rules of {@link Json#mapper()} (checked by SpecCodecTest): unknown
 * fields skipped, nulls omitted, map keys sorted, uint64 as unsigned. Straight-line code on
 * purpose: no reflection, no lambdas, no maps of method handles, so a fresh JVM pays only for
 * parsing (each lambda or indy call site costs a class spin on first use).
 */
final class SpecCodec {

    private SpecCodec() {
    }
""")
emit("    /** True when the codec reads and writes {@code type}. */")
emit("    static boolean handles(Class<?> type) {")
emit("        return " + "\n                || ".join("type == %s.class" % java_type(q) for q in records) + ";")
emit("    }\n")
emit("    /** Reads a value of a {@link #handles handled} type at the parser's current token. */")
emit("    static Object read(Class<?> type, In in) throws IOException {")
for q in records:
    emit("        if (type == %s.class) {\n            return %s(in);\n        }" % (java_type(q), fn_name(q)))
emit("        throw new IllegalArgumentException(\"not a spec record: \" + type);")
emit("    }\n")
emit("    /** Writes a spec record; false when {@code v} is not one. */")
emit("    static boolean write(Out out, Object v) throws IOException {")
for q in records:
    emit("        if (v instanceof %s x) {\n            %s(out, x);\n            return true;\n        }" % (java_type(q), wfn_name(q)))
emit("        return false;")
emit("    }\n")

body_start = len(lines)
for qual, rec in records.items():
    comps = rec["comps"]
    outer = rec["outer"]
    t = java_type(qual)
    emit("    static %s %s(In in) throws IOException {" % (t, fn_name(qual)))
    emit("        if (!in.beginObject()) {\n            return null;\n        }")
    for c in comps:
        emit("        %s %s = null;" % (qualify(c["type"], outer), "v_" + c["name"]))
    emit("        for (String f = in.nextField(); f != null; f = in.nextField()) {")
    emit("            switch (f) {")
    for c in comps:
        emit('                case "%s" -> v_%s = %s;' % (c["json"], c["name"], reader_expr(c["type"], c, outer)))
    # Go's encoding/json (runc) takes a key that matches no field exactly by a case-insensitive
    # match ("pagesize" for "pageSize", as runc's own hugetlb test writes it); only then unknown
    emit("                default -> {")
    emit("                    switch (In.folded(f, %s)) {" % ", ".join('"%s"' % c["json"] for c in comps))
    for c in comps:
        emit('                        case "%s" -> v_%s = %s;' % (c["json"], c["name"], reader_expr(c["type"], c, outer)))
    emit("                        default -> in.skip();")
    emit("                    }")
    emit("                }")
    emit("            }")
    emit("        }")
    emit("        return new %s(%s);" % (t, ", ".join("v_" + c["name"] for c in comps)))
    emit("    }\n")
    emit("    static void %s(Out out, %s v) throws IOException {" % (wfn_name(qual), t))
    emit("        out.beginObject();")
    order = rec["order"] or [c["json"] for c in comps]
    byjson = {c["json"]: c for c in comps}
    for j in order:
        c = byjson[j]
        emit("        " + writer_stmt(c["type"], c, outer, "v.%s()" % c["name"]))
    emit("        out.endObject();")
    emit("    }\n")
for q in list_helpers:
    t = java_type(q)
    n = q.replace(".", "_")
    emit("    private static List<%s> l%s(In in) throws IOException {" % (t, n))
    emit("        if (!in.beginArray()) {\n            return null;\n        }")
    emit("        List<%s> out = new ArrayList<>();" % t)
    emit("        while (in.nextElement()) {\n            out.add(%s(in));\n        }" % fn_name(q))
    emit("        return Collections.unmodifiableList(out);")
    emit("    }\n")
    emit("    private static void wl%s(Out out, String name, List<%s> list) throws IOException {" % (n, t))
    emit("        if (list == null) {\n            return;\n        }")
    emit("        out.beginArray(name);")
    emit("        for (%s e : list) {\n            if (e == null) {\n                out.nullValue();\n            } else {\n                %s(out, e);\n            }\n        }" % (t, wfn_name(q)))
    emit("        out.endArray();")
    emit("    }\n")
for q in map_helpers:
    t = java_type(q)
    n = q.replace(".", "_")
    emit("    private static Map<String, %s> m%s(In in) throws IOException {" % (t, n))
    emit("        if (!in.beginMap()) {\n            return null;\n        }")
    emit("        Map<String, %s> out = new LinkedHashMap<>();" % t)
    emit("        for (String k = in.nextKey(); k != null; k = in.nextKey()) {\n            out.put(k, %s(in));\n        }" % fn_name(q))
    emit("        return Collections.unmodifiableMap(out);")
    emit("    }\n")
    emit("    private static void wm%s(Out out, String name, Map<String, %s> map) throws IOException {" % (n, t))
    emit("        if (map == null) {\n            return;\n        }")
    emit("        out.beginMap(name);")
    emit("        for (Map.Entry<String, %s> e : Out.sorted(map).entrySet()) {" % t)
    emit("            out.name(e.getKey());")
    emit("            if (e.getValue() == null) {\n                out.nullValue();\n            } else {\n                %s(out, e.getValue());\n            }" % wfn_name(q))
    emit("        }")
    emit("        out.endMap();")
    emit("    }\n")
emit("}")
text = "\n".join(lines) + "\n"
if sys.argv[1:] == ["-"]:
    # to stdout, the file untouched: SpecCodecFreshnessTest compares this with the committed file
    sys.stdout.write(text)
else:
    open(OUT, "w").write(text)
    print("wrote", OUT, len(records), "records")
