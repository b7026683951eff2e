#!/usr/bin/env python3
"""Regenerates kubernetes.protoschema, KubeSim's table of the Kubernetes protobuf wire format.

Facts come from two places already on a developer machine: the protobuf descriptors that kubectl (/usr/bin/kubectl or
$KUBECTL) carries for every k8s.io/api type it was built with (gzipped FileDescriptorProtos, including gogoproto's
nullable=false, which tells a Go value field from a pointer), and the OpenAPI v3 documents in shared/kubernetes
(which kinds a default cluster serves, and each field's JSON name where it differs from the proto name or is inlined).

Usage: python3 generate-schema.py [path/to/shared/kubernetes/openapi-v3] > kubernetes.protoschema
(without a path, the first shared/kubernetes/openapi-v3 above this folder, as KubeSim finds it)
Kinds that kubectl's build does not know (see kubernetes-supplement.protoschema) are listed on stderr.
"""
import glob, json, os, re, sys, zlib

def varint(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if not x & 0x80: return r, i

def fields(b):
    i = 0; out = []
    while i < len(b):
        t, i = varint(b, i); f, w = t >> 3, t & 7
        if w == 0: v, i = varint(b, i)
        elif w == 2:
            l, i = varint(b, i); v = b[i:i + l]; i += l
        elif w == 1: v = b[i:i + 8]; i += 8
        elif w == 5: v = b[i:i + 4]; i += 4
        else: raise ValueError(w)
        out.append((f, w, v))
    return out

def message(b):
    m = {'name': None, 'fields': [], 'nested': [], 'map': False}
    for f, w, v in fields(b):
        if f == 1: m['name'] = v.decode()
        elif f == 2:
            fd = {'opts': {}}
            for g, ww, x in fields(v):
                if g == 1: fd['name'] = x.decode()
                elif g == 3: fd['number'] = x
                elif g == 4: fd['label'] = x
                elif g == 5: fd['type'] = x
                elif g == 6: fd['type_name'] = x.decode()
                elif g == 8:
                    for h, www, y in fields(x): fd['opts'][h] = y
            m['fields'].append(fd)
        elif f == 3: m['nested'].append(message(v))
        elif f == 7:
            for h, _, y in fields(v):
                if h == 7: m['map'] = bool(y)
    return m

def descriptors(binary):
    data = open(binary, 'rb').read()
    files = {}
    for match in re.finditer(b'\x1f\x8b\x08\x00\x00\x00\x00\x00', data):
        try: raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[match.start():match.start() + 4000000])
        except Exception: continue
        if raw[:1] != b'\x0a': continue
        fd = {'messages': []}
        try:
            for f, w, v in fields(raw):
                if f == 1: fd['name'] = v.decode()
                elif f == 2: fd['package'] = v.decode()
                elif f == 4: fd['messages'].append(message(v))
        except Exception: continue
        if fd.get('name', '').endswith('.proto') and 'package' in fd: files[fd['name']] = fd
    return files

def served(group, version):
    return 'alpha' not in version and 'beta' not in version and group not in ('internal.apiserver.k8s.io', 'storagemigration.k8s.io')

def proto_name(openapi_name): return 'k8s.io.' + openapi_name[len('io.k8s.'):]

SCALARS = {1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 8: 'bool', 9: 'string', 12: 'bytes', 13: 'uint32', 17: 'sint32', 18: 'sint64'}
# Messages whose JSON form is not an object; the decoder knows them by name and the table lists their fields only.
SPECIAL = {'k8s.io.apimachinery.pkg.apis.meta.v1.Time', 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime', 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
           'k8s.io.apimachinery.pkg.api.resource.Quantity', 'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
           'k8s.io.apimachinery.pkg.runtime.RawExtension', 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1'}

def find_openapi(start):
    # Like OpenApiDocuments.Locate: the first shared/kubernetes/openapi-v3 above this folder.
    directory = start
    while True:
        candidate = os.path.join(directory, 'shared', 'kubernetes', 'openapi-v3')
        if os.path.isdir(candidate): return candidate
        parent = os.path.dirname(directory)
        if parent == directory: sys.exit('no shared/kubernetes/openapi-v3 above ' + start + '; pass its path')
        directory = parent

def main():
    openapi_dir = sys.argv[1] if len(sys.argv) > 1 else find_openapi(os.path.dirname(os.path.abspath(__file__)))
    messages = {}
    for fd in descriptors(os.environ.get('KUBECTL', '/usr/bin/kubectl')).values():
        def add(m, prefix):
            full = prefix + '.' + m['name']; messages[full] = m
            for n in m['nested']: add(n, full)
        for m in fd['messages']: add(m, fd['package'])
    schemas = {}; kinds = set(); operation_kinds = set()
    for path in glob.glob(os.path.join(openapi_dir, '*.json')):
        m = re.match(r'(api__v1|apis__(.+)__(v[^_]+))_openapi\.json$', os.path.basename(path))
        if not m: continue
        group, version = ('', 'v1') if m.group(1) == 'api__v1' else (m.group(2), m.group(3))
        if not served(group, version): continue
        for name, schema in json.load(open(path))['components']['schemas'].items():
            if not name.startswith('io.k8s.'): continue
            schemas[proto_name(name)] = schema
            for gvk in schema.get('x-kubernetes-group-version-kind', []):
                if served(gvk['group'], gvk['version']):
                    kinds.add(((gvk['group'] + '/' if gvk['group'] else '') + gvk['version'], gvk['kind'], proto_name(name)))
        # Connect options (PodExecOptions, NodeProxyOptions...) are kinds of operations, not of schemas.
        document = json.load(open(path))
        for operations in document.get('paths', {}).values():
            for operation in operations.values():
                gvk = operation.get('x-kubernetes-group-version-kind') if isinstance(operation, dict) else None
                if gvk and served(gvk['group'], gvk['version']):
                    operation_kinds.add(((gvk['group'] + '/' if gvk['group'] else '') + gvk['version'], gvk['kind']))
    packages = {api_version: name.rsplit('.', 1)[0] for api_version, _, name in kinds if '.apimachinery.' not in name}
    for api_version, kind in operation_kinds:
        name = f'{packages.get(api_version)}.{kind}'
        if not any(k[0] == api_version and k[1] == kind for k in kinds) and name in messages:
            kinds.add((api_version, kind, name))
    # metrics-server's aggregated API has no document in shared/ but KubeSim serves it.
    for kind in ('NodeMetrics', 'PodMetrics'):
        kinds.add(('metrics.k8s.io/v1beta1', kind, 'k8s.io.metrics.pkg.apis.metrics.v1beta1.' + kind))
    out = []; emitted = set()

    def type_of(f): return f['type_name'][1:] if f['type'] == 11 else SCALARS[f['type']]

    def emit(name):
        if name in emitted: return
        emitted.add(name)
        m = messages[name]; schema = schemas.get(name)
        props = list(schema.get('properties', {})) if schema else None
        wrapper = schema is None and len(m['fields']) == 1 and m['fields'][0]['name'] == 'items' and m['fields'][0]['label'] == 3
        out.append(f'message {name}' + (' wrapper' if wrapper else ''))
        deps = []
        for f in sorted(m['fields'], key=lambda x: x['number']):
            t = type_of(f); flags = []
            if f['type'] == 11:
                target = messages[t]
                if target['map']:
                    key = next(x for x in target['fields'] if x['number'] == 1); value = next(x for x in target['fields'] if x['number'] == 2)
                    if value['type'] == 11: deps.append(type_of(value))
                    t = f'map<{type_of(key)},{type_of(value)}>'
                else: deps.append(t)
            if f['label'] == 3 and not t.startswith('map<'): flags.append('repeated')
            # gogoproto.nullable=false (65001) marks a Go value field; without it a scalar is a Go pointer.
            if f['opts'].get(65001, 1) != 0 and f['label'] != 3 and f['type'] != 11: flags.append('optional')
            json_name = f['name']
            if props is not None and name not in SPECIAL:
                same = [p for p in props if p.lower() == json_name.lower()]
                if same: json_name = same[0]
                elif f['type'] == 11 and f['label'] != 3: json_name = '-'; flags.append('inline')
                # OpenAPI's required lists the fields without omitempty: Go's JSON writes them even at zero.
                if json_name in schema.get('required', []) and not flags and f['type'] != 11 and f['label'] != 3:
                    flags.append('always')
            out.append(f"{f['number']} {json_name} {t}" + (' ' + ' '.join(flags) if flags else ''))
        if name not in SPECIAL:
            for d in deps: emit(d)

    header = ['# KubeSim\'s table of the Kubernetes protobuf wire format (generated by generate-schema.py; do not edit).',
              '# kind <apiVersion> <kind> <message>',
              '# message <name> [wrapper: a named Go slice, whose JSON is the array of its items]',
              '# <number> <json name, - when inlined> <type | message | map<key,value>> [repeated] [inline]',
              '#   [optional: a Go pointer, so an explicit zero is kept] [always: a Go value without omitempty, written even at zero]']
    for api_version, kind, name in sorted(kinds):
        if name in messages:
            header.append(f'kind {api_version} {kind} {name}'); emit(name)
        else:
            print(f'not in kubectl (kubernetes-supplement.protoschema must have it): {api_version} {kind}', file=sys.stderr)
    print('\n'.join(header + out))

main()
