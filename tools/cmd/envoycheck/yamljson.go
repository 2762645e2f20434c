package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// document is a YAML (or JSON) file turned into JSON for protojson, one key per JSON line, with
// the YAML line and field path of every JSON line, so that protojson's "(line L:C)" positions and
// validation paths can be reported against the YAML the user wrote.
type document struct {
	json []byte
	// origins[i] is where JSON line i+1 comes from.
	origins []origin
	// lines maps a field path (as formatted by pathKey/pathIndex) to its YAML line.
	lines map[string]int
	// types are the `@type`s of the file's typed configs.
	types []typeRef
}

type typeRef struct {
	path string
	url  string
}

type origin struct {
	path string
	line int
}

func toJSON(source []byte) (*document, []problem) {
	var root yaml.Node
	if err := yaml.Unmarshal(source, &root); err != nil {
		return nil, []problem{{message: fmt.Sprintf("not YAML: %v", err)}}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, []problem{{message: "the file is empty"}}
	}
	e := &emitter{doc: &document{origins: []origin{{line: 1}}, lines: map[string]int{"": 1}}}
	e.value(root.Content[0], "")
	e.doc.json = e.buf.Bytes()
	return e.doc, e.problems
}

type emitter struct {
	buf      bytes.Buffer
	doc      *document
	problems []problem
}

func (e *emitter) newline(path string, line int) {
	e.buf.WriteByte('\n')
	e.doc.origins = append(e.doc.origins, origin{path, line})
}

func (e *emitter) value(n *yaml.Node, path string) {
	if _, seen := e.doc.lines[path]; !seen {
		e.doc.lines[path] = n.Line
	}
	switch n.Kind {
	case yaml.AliasNode:
		e.value(n.Alias, path)
	case yaml.DocumentNode:
		e.value(n.Content[0], path)
	case yaml.MappingNode:
		e.buf.WriteByte('{')
		keys := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				e.problems = append(e.problems, problem{path: path, line: k.Line, message: "YAML merge keys (<<) are not supported: write the fields out"})
				continue
			}
			if k.Kind != yaml.ScalarNode {
				e.problems = append(e.problems, problem{path: path, line: k.Line, message: "a mapping key must be a string"})
				continue
			}
			child := pathKey(path, k.Value)
			if keys[k.Value] {
				e.problems = append(e.problems, problem{path: child, line: k.Line, message: fmt.Sprintf("duplicate key %q", k.Value)})
				continue
			}
			if len(keys) > 0 {
				e.buf.WriteByte(',')
			}
			keys[k.Value] = true
			e.doc.lines[child] = k.Line
			if k.Value == "@type" && v.Kind == yaml.ScalarNode {
				e.doc.types = append(e.doc.types, typeRef{path: child, url: v.Value})
			}
			e.newline(child, k.Line)
			key, _ := json.Marshal(k.Value)
			e.buf.Write(key)
			e.buf.WriteByte(':')
			e.value(v, child)
		}
		e.newline(path, n.Line)
		e.buf.WriteByte('}')
	case yaml.SequenceNode:
		e.buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			child := pathIndex(path, i)
			e.newline(child, item.Line)
			e.value(item, child)
		}
		e.newline(path, n.Line)
		e.buf.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			e.problems = append(e.problems, problem{path: path, line: n.Line, message: err.Error()})
			e.buf.WriteString("null")
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			e.problems = append(e.problems, problem{path: path, line: n.Line, message: fmt.Sprintf("%q has no JSON equivalent", n.Value)})
			e.buf.WriteString("null")
			return
		}
		e.buf.Write(out)
	default:
		e.problems = append(e.problems, problem{path: path, line: n.Line, message: "unsupported YAML node"})
		e.buf.WriteString("null")
	}
}

var identifier = regexp.MustCompile(`^[A-Za-z_@][A-Za-z0-9_]*$`)

// pathKey appends a field name or map key: `a.b`, or `a["envoy.filters.http.cors"]` for keys that
// are not identifiers.
func pathKey(path, key string) string {
	if !identifier.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func pathIndex(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// lineOf is the YAML line of a path, or of its nearest ancestor that the file has (a missing
// required field is reported at the object that lacks it).
func (d *document) lineOf(path string) int {
	for {
		if line, ok := d.lines[path]; ok {
			return line
		}
		cut := max(strings.LastIndexByte(path, '.'), strings.LastIndexByte(path, '['))
		if cut <= 0 {
			return d.lines[""]
		}
		path = path[:cut]
	}
}

// at is the origin of a protojson error position "(line L:C)", when the message has one.
var protojsonPosition = regexp.MustCompile(`\(line (\d+):\d+\)`)

func (d *document) at(message string) (origin, bool) {
	m := protojsonPosition.FindStringSubmatch(message)
	if m == nil {
		return origin{}, false
	}
	line, _ := strconv.Atoi(m[1])
	if line < 1 || line > len(d.origins) {
		return origin{}, false
	}
	return d.origins[line-1], true
}
