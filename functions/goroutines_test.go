package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// No panic on a goroutine the product starts may end the process: every go
// statement and WaitGroup.Go in what ships runs code that recovers (itself,
// or in a function of its package it calls), or is listed here with why it
// cannot panic. A new goroutine fails this test until it does one or the
// other. (Code a library runs on its own goroutine, like the trace
// exporter, recovers too; this test cannot find such places.)
func TestEveryGoroutineRecovers(t *testing.T) {
	// "file: part of the statement" → why it cannot panic.
	cannotPanic := map[string]string{
		"shared/azurefunc/serve.go: srv.Serve(ln)": "net/http recovers each handler's panic itself",
		"shared/azurefunc/serve.go: wg.Wait()":     "waits and closes a channel",
		"shared/jobs/jobstest/store.go: s.Commit(": "test support: the Store conformance suite's concurrent commits",
	}
	found := 0
	for _, dir := range []string{"../shared", "."} {
		pkgs := map[string][]*ast.File{} // by directory
		fset := token.NewFileSet()
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "sandbox" || d.Name() == "testdata") || (dir == "." && d.IsDir() && path != ".") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, files := range pkgs {
			funcs := map[string]*ast.BlockStmt{}
			for _, f := range files {
				for _, decl := range f.Decls {
					if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
						funcs[fd.Name.Name] = fd.Body
					}
				}
			}
			for _, f := range files {
				ast.Inspect(f, func(n ast.Node) bool {
					var target ast.Expr
					switch n := n.(type) {
					case *ast.GoStmt:
						target = n.Call
					case *ast.CallExpr:
						if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Go" && len(n.Args) == 1 {
							target = n.Args[0]
						}
					}
					if target == nil {
						return true
					}
					found++
					pos := fset.Position(n.Pos())
					file := strings.TrimPrefix(filepath.ToSlash(pos.Filename), "../")
					if recovers(target, funcs) {
						return true
					}
					for key := range cannotPanic {
						if k, stmt, _ := strings.Cut(key, ": "); k == file && strings.Contains(source(fset, n), stmt) {
							return true
						}
					}
					t.Errorf("%s:%d: a goroutine that does not recover: %s", file, pos.Line, source(fset, n))
					return true
				})
			}
		}
	}
	if found < 5 {
		t.Errorf("found %d goroutines; the walk missed the product's code", found)
	}
}

// recovers reports whether the goroutine's code calls recover: in its own
// body, or in a function of the package that it names or calls directly.
func recovers(target ast.Expr, funcs map[string]*ast.BlockStmt) bool {
	var bodies []ast.Node
	switch x := target.(type) {
	case *ast.FuncLit:
		bodies = append(bodies, x.Body)
	case *ast.CallExpr:
		if lit, ok := x.Fun.(*ast.FuncLit); ok {
			bodies = append(bodies, lit.Body)
		} else if b := funcs[calleeName(x.Fun)]; b != nil {
			bodies = append(bodies, b)
		}
	}
	for _, body := range bodies {
		var callees []string
		found := false
		ast.Inspect(body, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "recover" {
					found = true
				}
				callees = append(callees, calleeName(c.Fun))
			}
			return true
		})
		if found {
			return true
		}
		for _, name := range callees {
			if b := funcs[name]; b != nil && containsRecover(b) {
				return true
			}
		}
	}
	return false
}

func containsRecover(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "recover" {
				found = true
			}
		}
		return !found
	})
	return found
}

func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

func source(fset *token.FileSet, n ast.Node) string {
	start, end := fset.Position(n.Pos()), fset.Position(n.End())
	b, err := os.ReadFile(start.Filename)
	if err != nil || end.Offset > len(b) {
		return ""
	}
	return strings.Join(strings.Fields(string(b[start.Offset:end.Offset])), " ")
}
