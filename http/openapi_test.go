package http

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tally"
	"tally/exchange"
)

var update = flag.Bool("update", false, "rewrite openapi.json from the routes")

// TestOpenAPI checks that openapi.json, which the server serves, describes
// exactly the routes it serves; go test -run TestOpenAPI -update rewrites
// it from the route table.
func TestOpenAPI(t *testing.T) {
	got := openAPIDocument(NewServer(Config{Service: &tally.Service{}}).routes())
	if *update {
		if err := os.WriteFile("openapi.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("openapi.json does not describe the routes; run go test ./http -run TestOpenAPI -update and review the diff")
	}
	var doc map[string]any
	if err := json.Unmarshal(openapiJSON, &doc); err != nil || doc["openapi"] != "3.1.0" {
		t.Errorf("the embedded document: %v, openapi %v", err, doc["openapi"])
	}
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// responseTypes are the Go types of the named 200 (or 201) responses: the
// document's schemas are made from them, so that they cannot drift from
// what the handlers write.
var responseTypes = map[string]reflect.Type{
	"Me":            reflect.TypeFor[userJSON](),
	"AgreementList": reflect.TypeFor[[]agreementSummary](),
	"Agreement":     reflect.TypeFor[agreementJSON](),
	"ListVersions":  reflect.TypeFor[[]versionJSON](),
	"Import":        reflect.TypeFor[versionReportJSON](),
	"VersionReport": reflect.TypeFor[versionReportJSON](),
	"Rows":          reflect.TypeFor[rowsJSON](),
	"Review":        reflect.TypeFor[[]reviewStatusJSON](),
	"PublicReport":  reflect.TypeFor[publicReportJSON](),
	"Matches":       reflect.TypeFor[matchesJSON](),
	"LogEntries":    reflect.TypeFor[logEntriesJSON](),
	"Receipt":       reflect.TypeFor[receiptJSON](),
	"Accounts":      reflect.TypeFor[[]accountJSON](),
	"Account":       reflect.TypeFor[accountJSON](),
	"NewToken":      reflect.TypeFor[newTokenJSON](),
	"Problem":       reflect.TypeFor[Problem](),
	"Steps":         reflect.TypeFor[stepsJSON](),
	"PreparedSteps": reflect.TypeFor[preparedJSON](),
	"RecordedSteps": reflect.TypeFor[recordedJSON](),
	"PreparedEntry": reflect.TypeFor[preparedEntryJSON](),
	"SecurityKey":   reflect.TypeFor[keyJSON](),
	"SecurityKeys":  reflect.TypeFor[[]keyJSON](),
	// The WebAuthn options are go-webauthn's, as the browser's
	// navigator.credentials.create and .get take them (W3C WebAuthn's
	// PublicKeyCredentialCreationOptions and RequestOptions, under
	// publicKey).
	"CredentialCreation":  reflect.TypeFor[webauthnOptions](),
	"CredentialAssertion": reflect.TypeFor[webauthnOptions](),
}

// webauthnOptions is the shape of go-webauthn's options, for the document.
type webauthnOptions struct {
	PublicKey map[string]any `json:"publicKey"`
}

// schemaOf describes t as JSON Schema (OpenAPI 3.1), as encoding/json
// writes it: a field is required unless omitempty; a pointer may be null.
func schemaOf(t reflect.Type) map[string]any {
	if t == reflect.TypeFor[time.Time]() {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := schemaOf(t.Elem())
		if ty, ok := s["type"].(string); ok {
			s["type"] = []string{ty, "null"}
			return s
		}
		return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		required := []string{}
		var fields func(t reflect.Type)
		fields = func(t reflect.Type) {
			for f := range t.Fields() {
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
					fields(f.Type)
					continue
				}
				if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				props[name] = schemaOf(f.Type)
				if !slices.Contains(strings.Split(opts, ","), "omitempty") {
					required = append(required, name)
				}
			}
		}
		fields(t)
		slices.Sort(required)
		return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	}
	return map[string]any{}
}

func jsonBody(schema any) map[string]any {
	return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schema}}}
}

func object(required []string, props map[string]any) map[string]any {
	return map[string]any{"type": "object", "required": required, "properties": props, "additionalProperties": false}
}

var str = map[string]any{"type": "string"}

// requestBodies are the bodies the routes that read one read.
func requestBodies() map[string]any {
	roles := map[string]any{"type": "array", "items": map[string]any{"enum": tally.Roles()}, "minItems": 1}
	return map[string]any{
		"POST /api/login": jsonBody(object([]string{"login", "password"}, map[string]any{"login": str, "password": str})),
		"POST /api/agreements/{id}/lists": map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{
			"type": "object", "required": []string{"party", "kind", "file"},
			"properties": map[string]any{
				"party": str, "kind": map[string]any{"enum": []string{"request", "custody", "remains", "children"}},
				"name": str, "category": str,
				"salt":  map[string]any{"type": "string", "description": "base64: the salt the party committed to the file with (a signed import)"},
				"entry": map[string]any{"type": "string", "description": "the entry prepared by lists/prepare, signed by the party (a signed import)"},
				"file":  map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}}},
		"POST /api/agreements/{id}/lists/prepare": jsonBody(object([]string{"party", "commitment"}, map[string]any{
			"party": str, "commitment": map[string]any{"type": "string", "description": "base64 SHA-256(salt ‖ file)"}})),
		"POST /api/agreements": map[string]any{"required": true, "description": "the agreement file, in the format of the agreement spec", "content": map[string]any{
			"application/yaml": map[string]any{"schema": str},
			"application/json": map[string]any{"schema": map[string]any{"type": "object"}},
			"multipart/form-data": map[string]any{"schema": object([]string{"file"}, map[string]any{
				"file": map[string]any{"type": "string", "contentMediaType": "application/yaml"}})}}},
		"POST /api/orgs/{org}/users": jsonBody(object([]string{"login", "name", "roles"}, map[string]any{
			"login": map[string]any{"type": "string", "minLength": 2, "maxLength": 64},
			"name":  str, "roles": roles,
			"password": map[string]any{"type": "string", "minLength": tally.MinPasswordLength, "description": "the first password, to hand over; leave out for an account that uses API tokens only"}})),
		"PUT /api/orgs/{org}/users/{login}/password": jsonBody(object([]string{"password"}, map[string]any{
			"password": map[string]any{"type": "string", "minLength": tally.MinPasswordLength}})),
		"POST /api/agreements/{id}/steps/prepare": jsonBody(object([]string{"steps"}, map[string]any{
			"steps": map[string]any{"type": "array", "minItems": 1, "items": object([]string{"kind", "body"}, map[string]any{
				"kind": map[string]any{"enum": exchange.Kinds()},
				"body": map[string]any{"type": "object", "description": "the step's body, as package exchange encodes it: fields of the kind's body type"}})}})),
		"POST /api/agreements/{id}/steps": jsonBody(object([]string{"steps"}, map[string]any{
			"steps": map[string]any{"type": "array", "minItems": 1, "items": object([]string{"kind", "payload", "salt", "entry"}, map[string]any{
				"kind": str, "payload": map[string]any{"type": "string", "description": "as prepared"},
				"salt":  map[string]any{"type": "string", "description": "base64, as prepared"},
				"entry": map[string]any{"type": "string", "description": "the entry, signed by the party: a signed note (C2SP signed-note)"}})}})),
		"POST /api/webauthn/register/begin": jsonBody(object(nil, map[string]any{})),
		"POST /api/webauthn/login/begin":    jsonBody(object(nil, map[string]any{})),
		"POST /api/webauthn/register/finish": jsonBody(object([]string{"credential"}, map[string]any{
			"name":       map[string]any{"type": "string", "maxLength": tally.MaxKeyName},
			"credential": map[string]any{"type": "object", "description": "the PublicKeyCredential, as JSON (base64url for binary)"}})),
		"POST /api/webauthn/login/finish": jsonBody(object([]string{"credential"}, map[string]any{
			"credential": map[string]any{"type": "object", "description": "the PublicKeyCredential, as JSON (base64url for binary)"}})),
		"PUT /api/me/password": jsonBody(object([]string{"current", "password"}, map[string]any{
			"current": str, "password": map[string]any{"type": "string", "minLength": tally.MinPasswordLength}})),
	}
}

// queryParams are the query parameters of the routes that read some.
func queryParams() map[string][]any {
	q := func(name, description string, required bool, schema map[string]any) map[string]any {
		return map[string]any{"name": name, "in": "query", "required": required, "description": description, "schema": schema}
	}
	integer := func(min, max int) map[string]any {
		s := map[string]any{"type": "integer", "minimum": min}
		if max > 0 {
			s["maximum"] = max
		}
		return s
	}
	return map[string][]any{
		"GET /api/agreements/{id}/lists/{list}/versions/{n}/rows": {
			q("after", "the line the page starts after (next_after of the page before)", false, integer(0, 0)),
			q("limit", "rows on the page", false, integer(1, tally.MaxRowsPerRead))},
		"GET /api/agreements/{id}/matches": {
			q("left", "a list version, such as ua-request@2", true, str),
			q("right", "the other list version, such as ru-custody@1", true, str)},
		"GET /api/log/entries": {
			q("start", "the index of the first entry", false, integer(0, 0)),
			q("n", "entries on the page", false, integer(1, tally.MaxEntriesPerRead))},
	}
}

// openAPIDocument describes routes as OpenAPI 3.1.
func openAPIDocument(routes []route) []byte {
	problem := map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}
	bodies, queries := requestBodies(), queryParams()
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_").Replace(rt.Pattern),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		params = append(params, queries[key]...)
		if params != nil {
			op["parameters"] = params
		}
		if !rt.Auth {
			op["security"] = []any{}
		}
		ok := map[string]any{"description": "done"}
		switch rt.Response {
		case "":
		case "text":
			ok["content"] = map[string]any{"text/plain": map[string]any{"schema": str}}
		case "file":
			ok["content"] = map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}
			ok["headers"] = map[string]any{
				"Repr-Digest":    map[string]any{"description": "the file's SHA-256 (RFC 9530)", "schema": str},
				"X-Tally-SHA256": map[string]any{"description": "the file's SHA-256 in hex, as tally list show prints it", "schema": str}}
		case "tar":
			ok["content"] = map[string]any{"application/x-tar": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/x-tar"}}}
		default:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + rt.Response}}}
		}
		responses := map[string]any{"default": map[string]any{"description": "an error, as RFC 9457 problem details", "content": problem}}
		switch {
		case rt.Response == "":
			responses["204"] = ok
		case key == "POST /api/agreements":
			responses["201"] = ok
			responses["200"] = map[string]any{"description": "the same file was stored already", "content": ok["content"]}
		case rt.Method == "POST" && (strings.HasSuffix(rt.Pattern, "/begin") || strings.HasSuffix(rt.Pattern, "/prepare")):
			// a ceremony's options, steps prepared to sign: nothing is
			// created yet
			responses["200"] = ok
		case rt.Method == "POST":
			responses["201"] = ok
		default:
			responses["200"] = ok
		}
		op["responses"] = responses
		if b, ok := bodies[key]; ok {
			op["requestBody"] = b
		}
		if paths[rt.Pattern] == nil {
			paths[rt.Pattern] = map[string]any{}
		}
		paths[rt.Pattern][strings.ToLower(rt.Method)] = op
	}
	schemas := map[string]any{
		"Version": object([]string{"version"}, map[string]any{"version": str}),
		"OpenAPI": map[string]any{"type": "object", "description": "an OpenAPI 3.1 document: this one"},
	}
	for name, t := range responseTypes {
		schemas[name] = schemaOf(t)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "tally", "version": "1",
			"description": "The multi-party API of tally: each organisation sees exactly what it is entitled to. Errors are RFC 9457 problem details."},
		"paths": paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{
			"token":   map[string]any{"type": "http", "scheme": "bearer"},
			"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie}}},
		"security": []any{map[string]any{"token": []any{}}, map[string]any{"session": []any{}}},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// TestOpenAPISchemas checks that every named response has a real schema,
// every route that reads a body describes it, and that the schemas are
// what the handlers write: a response of each kind validates, in the
// small sense of having every required property and no other.
func TestOpenAPISchemas(t *testing.T) {
	routes := NewServer(Config{Service: &tally.Service{}}).routes()
	bodies := requestBodies()
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		switch rt.Response {
		case "", "text", "file", "tar", "Version", "OpenAPI":
		default:
			if responseTypes[rt.Response] == nil {
				t.Errorf("%s: response %s has no Go type in responseTypes", key, rt.Response)
			}
		}
		if (rt.Method == "POST" || rt.Method == "PUT") && bodies[key] == nil && key != "POST /api/logout" &&
			!strings.HasSuffix(key, "/disable") && !strings.HasSuffix(key, "/tokens") {
			t.Errorf("%s reads a body the document does not describe", key)
		}
	}
	for key := range bodies {
		found := false
		for _, rt := range routes {
			found = found || rt.Method+" "+rt.Pattern == key
		}
		if !found {
			t.Errorf("a request body for %s, which is no route", key)
		}
	}
	// A schema is not only a name.
	for name, typ := range responseTypes {
		s := schemaOf(typ)
		if s["type"] == nil {
			t.Errorf("schema %s has no type", name)
		}
		if s["type"] == "array" {
			s = s["items"].(map[string]any)
		}
		if props, _ := s["properties"].(map[string]any); len(props) == 0 {
			t.Errorf("schema %s has no properties", name)
		}
	}
}
