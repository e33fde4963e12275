package http

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"tally"
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

// openAPIDocument describes routes as OpenAPI 3.1.
func openAPIDocument(routes []route) []byte {
	problem := map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_").Replace(rt.Pattern),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
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
			ok["content"] = map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
		default:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + rt.Response}}}
		}
		status := "200"
		switch {
		case rt.Response == "":
			status = "204"
		case rt.Method == "POST" && strings.HasSuffix(rt.Pattern, "/begin"):
			// a ceremony's options: nothing is created yet
		case rt.Method == "POST":
			status = "201"
		}
		op["responses"] = map[string]any{status: ok, "default": map[string]any{"description": "an error, as RFC 9457 problem details", "content": problem}}
		if rt.Method == "POST" && rt.Pattern == "/api/login" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object", "required": []string{"login", "password"},
				"properties": map[string]any{"login": map[string]any{"type": "string"}, "password": map[string]any{"type": "string"}}}}}}
		}
		if rt.Method == "POST" && strings.HasSuffix(rt.Pattern, "/lists") {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{
				"type": "object", "required": []string{"party", "kind", "file"},
				"properties": map[string]any{
					"party": map[string]any{"type": "string"}, "kind": map[string]any{"enum": []string{"request", "custody", "remains", "children"}},
					"name": map[string]any{"type": "string"}, "category": map[string]any{"type": "string"},
					"file": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}}}}
		}
		if rt.Method == "POST" && strings.HasPrefix(rt.Pattern, "/api/webauthn/") && strings.HasSuffix(rt.Pattern, "/finish") {
			props := map[string]any{"credential": map[string]any{"type": "object", "description": "the PublicKeyCredential, as JSON (base64url for binary)"}}
			if strings.Contains(rt.Pattern, "/register/") {
				props["name"] = map[string]any{"type": "string", "maxLength": tally.MaxKeyName}
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object", "required": []string{"credential"}, "properties": props}}}}
		}
		if paths[rt.Pattern] == nil {
			paths[rt.Pattern] = map[string]any{}
		}
		paths[rt.Pattern][strings.ToLower(rt.Method)] = op
	}
	object := map[string]any{"type": "object"}
	array := map[string]any{"type": "array", "items": map[string]any{"type": "object"}}
	schemas := map[string]any{
		"Problem": map[string]any{"type": "object", "required": []string{"type", "title", "status", "code"}, "properties": map[string]any{
			"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"}, "status": map[string]any{"type": "integer"},
			"detail": map[string]any{"type": "string"}, "code": map[string]any{"type": "string"},
			"key": map[string]any{"type": "string"}, "hint": map[string]any{"type": "string"}}},
		"Version": object, "OpenAPI": object, "Me": object, "AgreementList": array, "Agreement": object,
		"ListVersions": array, "Import": object, "VersionReport": object, "Rows": object, "Review": array,
		"PublicReport": object, "Users": array,
		"CredentialCreation": object, "CredentialAssertion": object, "SecurityKey": object, "SecurityKeys": array,
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
