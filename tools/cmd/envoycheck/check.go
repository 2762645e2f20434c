package main

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
)

type problem struct {
	path    string
	line    int
	message string
}

func (p problem) format(file string) string {
	location := file
	if p.line > 0 {
		location = fmt.Sprintf("%s:%d", file, p.line)
	}
	if p.path == "" {
		return fmt.Sprintf("%s: %s", location, p.message)
	}
	return fmt.Sprintf("%s: %s: %s", location, p.path, p.message)
}

// typedConfig is one google.protobuf.Any of the bootstrap, unpacked.
type typedConfig struct {
	path string
	msg  proto.Message
}

type report struct {
	problems  []problem
	bootstrap *bootstrapv3.Bootstrap
	typed     []typedConfig
	routes    int
}

func (r report) summary() string {
	static := r.bootstrap.GetStaticResources()
	return fmt.Sprintf("%d listener(s), %d cluster(s), %d route(s), %d typed config(s) validated",
		len(static.GetListeners()), len(static.GetClusters()), r.routes, len(r.typed))
}

type checker struct {
	doc *document
	report
}

func (c *checker) add(path, message string) {
	c.problems = append(c.problems, problem{path: path, line: c.doc.lineOf(path), message: message})
}

func check(source []byte) report {
	doc, problems := toJSON(source)
	if doc == nil || len(problems) > 0 {
		return report{problems: problems}
	}
	c := &checker{doc: doc}
	// Every @type first, all of them at once: protojson stops at the first it cannot resolve.
	for _, t := range doc.types {
		if _, err := protoregistry.GlobalTypes.FindMessageByURL(t.url); err != nil {
			c.add(t.path, fmt.Sprintf("@type %q does not resolve: not an Envoy API type, or an extension envoycheck does not register (add its package to tools/cmd/envoycheck/extensions.go)", t.url))
		}
	}
	if len(c.problems) > 0 {
		return c.report
	}
	bootstrap := &bootstrapv3.Bootstrap{}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(doc.json, bootstrap); err != nil {
		message := err.Error()
		at, _ := doc.at(message)
		message = strings.TrimPrefix(protojsonPosition.ReplaceAllString(message, ""), "proto:")
		message = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(message), ":"))
		line := at.line
		if line == 0 {
			line = doc.lineOf(at.path)
		}
		c.problems = append(c.problems, problem{path: at.path, line: line, message: message})
		return c.report
	}
	c.bootstrap = bootstrap
	if err := bootstrap.ValidateAll(); err != nil {
		c.flatten(err, "", bootstrap.ProtoReflect().Descriptor())
	}
	c.walk(bootstrap.ProtoReflect(), "")
	c.references()
	sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].line < c.problems[j].line })
	return c.report
}

// walk visits every set field: it reports deprecated fields and enum values, and unpacks every
// Any, validating its content as Envoy does when it instantiates the extension (ValidateAll on the
// bootstrap does not look inside an Any).
func (c *checker) walk(m protoreflect.Message, path string) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := pathKey(path, string(fd.Name()))
		if options, ok := fd.Options().(*descriptorpb.FieldOptions); ok && options.GetDeprecated() {
			c.add(p, fmt.Sprintf("deprecated in Envoy's API (%s): Envoy warns about it and will drop it; use its replacement", fd.FullName()))
		}
		switch {
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				c.value(fd, list.Get(i), pathIndex(p, i))
			}
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
					c.message(mv.Message(), pathKey(p, k.String()))
					return true
				})
			}
		default:
			c.value(fd, v, p)
		}
		return true
	})
}

func (c *checker) value(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) {
	switch {
	case fd.Message() != nil:
		c.message(v.Message(), path)
	case fd.Enum() != nil:
		value := fd.Enum().Values().ByNumber(v.Enum())
		if value == nil {
			c.add(path, fmt.Sprintf("%d is not a value of %s", v.Enum(), fd.Enum().FullName()))
		} else if options, ok := value.Options().(*descriptorpb.EnumValueOptions); ok && options.GetDeprecated() {
			c.add(path, fmt.Sprintf("%s is deprecated in Envoy's API", value.FullName()))
		}
	}
}

func (c *checker) message(m protoreflect.Message, path string) {
	if m.Descriptor().FullName() != "google.protobuf.Any" {
		c.walk(m, path)
		return
	}
	packed, ok := m.Interface().(*anypb.Any)
	if !ok {
		c.add(path, "an Any that is not google.protobuf.Any")
		return
	}
	inner, err := packed.UnmarshalNew()
	if err != nil {
		c.add(path, fmt.Sprintf("%s: %v", packed.GetTypeUrl(), err))
		return
	}
	c.typed = append(c.typed, typedConfig{path: path, msg: inner})
	if validated, ok := inner.(interface{ ValidateAll() error }); ok {
		if err := validated.ValidateAll(); err != nil {
			c.flatten(err, path, inner.ProtoReflect().Descriptor())
		}
	}
	c.walk(inner.ProtoReflect(), path)
}

// pgvError is the error protoc-gen-validate generates for one violated constraint.
type pgvError interface {
	Field() string
	Reason() string
	Cause() error
	Key() bool
}

// flatten turns the nested errors of ValidateAll into one problem per violated constraint, with
// the path in proto field names (as written in the YAML).
func (c *checker) flatten(err error, path string, desc protoreflect.MessageDescriptor) {
	if multi, ok := err.(interface{ AllErrors() []error }); ok {
		for _, e := range multi.AllErrors() {
			c.flatten(e, path, desc)
		}
		return
	}
	var violation pgvError
	if !errors.As(err, &violation) {
		c.add(path, err.Error())
		return
	}
	p, child := fieldPath(path, violation.Field(), desc)
	cause := violation.Cause()
	if cause != nil {
		var nested pgvError
		if _, multi := cause.(interface{ AllErrors() []error }); multi || errors.As(cause, &nested) {
			c.flatten(cause, p, child)
			return
		}
		c.add(p, fmt.Sprintf("%s: %v", violation.Reason(), cause))
		return
	}
	reason := violation.Reason()
	if violation.Key() {
		reason = "map key: " + reason
	}
	c.add(p, reason)
}

var pgvField = regexp.MustCompile(`^([A-Za-z0-9_]+)(?:\[(.*)\])?$`)

// fieldPath resolves a protoc-gen-validate field ("StaticResources", "Clusters[0]",
// "Providers[name]") against the message it belongs to.
func fieldPath(path, field string, desc protoreflect.MessageDescriptor) (string, protoreflect.MessageDescriptor) {
	m := pgvField.FindStringSubmatch(field)
	if m == nil {
		return pathKey(path, field), nil
	}
	name, index := m[1], m[2]
	var fd protoreflect.FieldDescriptor
	if desc != nil {
		fields := desc.Fields()
		for i := 0; i < fields.Len(); i++ {
			if goCamelCase(string(fields.Get(i).Name())) == name {
				fd = fields.Get(i)
				break
			}
		}
	}
	if fd == nil {
		p := pathKey(path, snakeCase(name))
		if m[0] != name {
			p += "[" + index + "]"
		}
		return p, nil
	}
	p := pathKey(path, string(fd.Name()))
	switch {
	case m[0] == name:
		return p, fd.Message()
	case fd.IsMap():
		return pathKey(p, index), fd.MapValue().Message()
	default:
		return p + "[" + index + "]", fd.Message()
	}
}

// goCamelCase is protoc-gen-go's Go name of a proto field name.
func goCamelCase(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && i+1 < len(s) && isLower(s[i+1]):
		case c == '.':
			b = append(b, '_')
		case c == '_' && (i == 0 || s[i-1] == '.'):
			b = append(b, 'X')
		case c == '_' && i+1 < len(s) && isLower(s[i+1]):
		case c >= '0' && c <= '9':
			b = append(b, c)
		default:
			if isLower(c) {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			for ; i+1 < len(s) && isLower(s[i+1]); i++ {
				b = append(b, s[i+1])
			}
		}
	}
	return string(b)
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
