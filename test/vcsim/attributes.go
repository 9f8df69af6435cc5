package main

// Custom attributes and tags. govmomi 0.24 has both halves, and nothing here edits them:
//
//   - Custom attributes: the simulator's CustomFieldsManager (AddCustomFieldDef, SetField, the
//     `field` property) and every entity's customValue. Its SetField APPENDS a new
//     CustomFieldStringValue instead of replacing the entity's value for that key, so after a
//     change customValue lists the key twice, old value first; a client must let the later pair
//     win (vCenter itself keeps one pair per key, so that rule is right there too).
//   - Tags: govmomi's vAPI simulator (vapi/simulator): categories, tags and tag associations under
//     /rest/com/vmware/cis/... (the vCenter 6.5+ flavour: answers wrapped in {"value": ...},
//     actions as ~action=), sessions by POST /rest/com/vmware/cis/session with HTTP Basic and the
//     vmware-api-session-id header. It does NOT serve the /api/... flavour of vCenter 7.0 U2+
//     (those paths answer 404 here), accepts any non-empty user and password for a vAPI session
//     (not only -username/-password), and does not check a category's cardinality.
//     list-attached-tags-on-objects, list-attached-objects-on-tags and attach-tag-to-multiple-objects
//     work. It is mounted by this program (not by the package's RegisterEndpoint hook) behind a
//     gate that can fail requests on demand (control endpoints below); -vapi=false leaves it out,
//     as on a server without tagging.
//   - -vapi-api also serves the /api flavour of the session and tagging calls, translated here onto
//     the same handler (apiShim below): /api/session, /api/cis/tagging/{category,tag}[/<id>],
//     /api/cis/tagging/tag-association[/<id>]?action=...; answers unwrapped, create specs unwrapped,
//     as vCenter 7.0 U2+ documents them. This is our translation, not VMware's code: it checks that a
//     client speaks the documented /api shapes, not how a real vCenter answers them.
//
// With -attributes the setup gives every VM values from -seed and its name only (as its sizes):
//
//   - custom attributes: Tenant (VirtualMachine fields) = acme | globex | initech on 80% of the
//     VMs; Owner (a global field) = team-a@example.com | team-b@example.com on half of them; a
//     HostSystem field Rack exists but VMs have no value for it.
//   - tags: category CostCentre (single) with CC-100, CC-200, CC-300: one on 70% of the VMs;
//     category Environment (multiple) with prod, test, dr: prod on 40%, test on 30%, and dr
//     beside prod on a quarter of those; category Location with Rack-1 on every host (no VM).
//
// Control endpoints (no login): POST /vcsim/vapi/fail[?times=K] answers the next K vAPI requests
// (0: all until reset) with HTTP 503; POST /vcsim/vapi/reset; GET /vcsim/vapi/stats
// {"requests":..,"failed":..,"pending_failures":..}.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	vapisim "github.com/vmware/govmomi/vapi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

var (
	tenants      = []string{"acme", "globex", "initech"}
	owners       = []string{"team-a@example.com", "team-b@example.com"}
	costCentres  = []string{"CC-100", "CC-200", "CC-300"}
	environments = []string{"prod", "test", "dr"}
)

// vmAttributes is what -attributes gives one VM.
type vmAttributes struct {
	tenant, owner, costCentre string
	environments              []string
}

func attributesOf(seed int64, name string) vmAttributes {
	r := newRng(seed, name+"/attributes")
	var a vmAttributes
	if r.float() < 0.8 {
		a.tenant = tenants[r.intn(len(tenants))]
	}
	if r.float() < 0.5 {
		a.owner = owners[r.intn(len(owners))]
	}
	if r.float() < 0.7 {
		a.costCentre = costCentres[r.intn(len(costCentres))]
	}
	switch e := r.float(); {
	case e < 0.4:
		a.environments = []string{"prod"}
		if r.float() < 0.25 {
			a.environments = append(a.environments, "dr")
		}
	case e < 0.7:
		a.environments = []string{"test"}
	}
	return a
}

// seedCustomAttributes defines the fields through the simulator's own SOAP method and sets every
// VM's values on its object (SetField per VM would cost a call each for nothing).
func (b *builder) seedCustomAttributes() error {
	cfm := b.c.ServiceContent.CustomFieldsManager
	if cfm == nil {
		return fmt.Errorf("no CustomFieldsManager")
	}
	define := func(name, moType string) (int32, error) {
		res, err := methods.AddCustomFieldDef(b.ctx, b.c, &types.AddCustomFieldDef{This: *cfm, Name: name, MoType: moType})
		if err != nil {
			return 0, fmt.Errorf("AddCustomFieldDef %s: %w", name, err)
		}
		return res.Returnval.Key, nil
	}
	tenantKey, err := define("Tenant", "VirtualMachine")
	if err != nil {
		return err
	}
	ownerKey, err := define("Owner", "")
	if err != nil {
		return err
	}
	if _, err := define("Rack", "HostSystem"); err != nil {
		return err
	}
	for ref, p := range b.made {
		vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		a := attributesOf(b.o.seed, p.name)
		set := func(key int32, value string) {
			if value == "" {
				return
			}
			v := &types.CustomFieldStringValue{CustomFieldValue: types.CustomFieldValue{Key: key}, Value: value}
			vm.CustomValue = append(vm.CustomValue, v)
			vm.Value = append(vm.Value, v)
		}
		set(tenantKey, a.tenant)
		set(ownerKey, a.owner)
	}
	return nil
}

// vapiGate is the vAPI simulator behind a switch that fails requests on demand.
type vapiGate struct {
	inner                     http.Handler
	mu                        sync.Mutex
	requests, failed, pending int
	failAll                   bool
}

var gate *vapiGate

func (g *vapiGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.requests++
	fail := g.failAll || g.pending > 0
	if fail {
		g.failed++
		if g.pending > 0 {
			g.pending--
		}
	}
	g.mu.Unlock()
	if fail {
		http.Error(w, "vcsim: vAPI failure injected", http.StatusServiceUnavailable)
		return
	}
	g.inner.ServeHTTP(w, r)
}

func (g *vapiGate) stats() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	pending := g.pending
	if g.failAll {
		pending = -1
	}
	return map[string]int{"requests": g.requests, "failed": g.failed, "pending_failures": pending}
}

// mountVapi serves govmomi's vAPI simulator under /rest/ (after NewServer: it wants the server's
// URL), and with withAPI the /api flavour too.
func mountVapi(svc *simulator.Service, server *simulator.Server, withAPI bool) {
	path, handler := vapisim.New(server.URL, simulator.Map.OptionManager().Setting)
	gate = &vapiGate{inner: handler}
	svc.ServeMux.Handle(path, gate)
	if withAPI {
		svc.ServeMux.Handle("/api/", apiShim{})
	}
}

// apiShim answers the /api flavour by calling the /rest one through `gate` (so failure injection and
// the request count cover it): paths, ~action, id: prefixes, create specs and {"value": ...}
// wrapping translated.
type apiShim struct{}

func (a apiShim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	var target string
	switch {
	case p == "/api/session":
		target = "/rest/com/vmware/cis/session"
	case strings.HasPrefix(p, "/api/cis/tagging/"):
		parts := strings.SplitN(strings.TrimPrefix(p, "/api/cis/tagging/"), "/", 2)
		target = "/rest/com/vmware/cis/tagging/" + parts[0]
		if len(parts) == 2 && parts[1] != "" {
			target += "/id:" + parts[1]
		}
	default:
		http.NotFound(w, r)
		return
	}
	if action := r.URL.Query().Get("action"); action != "" {
		target += "?~action=" + action
	}
	body, _ := io.ReadAll(r.Body)
	// POST to a collection creates: /api takes the spec itself, /rest wants {"create_spec": spec}.
	if r.Method == http.MethodPost && r.URL.Query().Get("action") == "" && (strings.HasSuffix(p, "/category") || strings.HasSuffix(p, "/tag")) {
		body = append(append([]byte(`{"create_spec":`), body...), '}')
	}
	req := httptest.NewRequest(r.Method, target, bytes.NewReader(body))
	req.Header = r.Header.Clone()
	rec := httptest.NewRecorder()
	gate.ServeHTTP(rec, req)
	if rec.Code < 200 || rec.Code > 299 {
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	var wrapped struct {
		Value json.RawMessage `json:"value"`
	}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &wrapped); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if r.Method == http.MethodPost && p == "/api/session" {
		w.WriteHeader(http.StatusCreated)
	}
	if len(wrapped.Value) > 0 {
		_, _ = w.Write(wrapped.Value)
	}
}

// registerVapiControl adds /vcsim/vapi/... (before NewServer, like the other control endpoints).
func registerVapiControl(svc *simulator.Service) {
	svc.HandleFunc("/vcsim/vapi/", func(w http.ResponseWriter, r *http.Request) {
		if gate == nil {
			http.Error(w, "vAPI not served (-vapi=false)", http.StatusNotFound)
			return
		}
		if r.URL.Path != "/vcsim/vapi/stats" && r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		switch r.URL.Path {
		case "/vcsim/vapi/stats":
		case "/vcsim/vapi/fail":
			times := 1
			if v := r.URL.Query().Get("times"); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					http.Error(w, "bad times", http.StatusBadRequest)
					return
				}
				times = n
			}
			gate.mu.Lock()
			gate.pending, gate.failAll = times, times == 0
			gate.mu.Unlock()
		case "/vcsim/vapi/reset":
			gate.mu.Lock()
			gate.pending, gate.failAll = 0, false
			gate.mu.Unlock()
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(gate.stats())
	})
}

// vapiClient calls the vAPI simulator in-process (no sockets, no TLS): setup only.
type vapiClient struct {
	h       http.Handler
	session string
}

func (c *vapiClient) call(method, path string, body interface{}) (json.RawMessage, error) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return nil, err
		}
	}
	req := httptest.NewRequest(method, path, &buf)
	req.Header.Set("Content-Type", "application/json")
	if c.session == "" {
		req.SetBasicAuth("vctp-setup", "setup")
	} else {
		req.Header.Set("vmware-api-session-id", c.session)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %d %s", method, path, rec.Code, rec.Body.String())
	}
	var out struct {
		Value json.RawMessage `json:"value"`
	}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			return nil, err
		}
	}
	return out.Value, nil
}

func (c *vapiClient) create(path, specKey string, spec map[string]interface{}) (string, error) {
	raw, err := c.call(http.MethodPost, path, map[string]interface{}{specKey: spec})
	if err != nil {
		return "", err
	}
	var id string
	err = json.Unmarshal(raw, &id)
	return id, err
}

// seedTags creates the categories and tags and attaches them, one call per tag.
func seedTags(seed int64, made map[types.ManagedObjectReference]*vmPlan) error {
	c := &vapiClient{h: gate.inner}
	raw, err := c.call(http.MethodPost, "/rest/com/vmware/cis/session", nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &c.session); err != nil {
		return err
	}
	category := func(name, cardinality string, types []string) (string, error) {
		return c.create("/rest/com/vmware/cis/tagging/category", "create_spec", map[string]interface{}{
			"name": name, "description": "vctp test", "cardinality": cardinality, "associable_types": types,
		})
	}
	tag := func(categoryID, name string) (string, error) {
		return c.create("/rest/com/vmware/cis/tagging/tag", "create_spec", map[string]interface{}{
			"name": name, "description": "vctp test", "category_id": categoryID,
		})
	}
	attached := map[string][]map[string]string{} // tag id -> objects
	tagIDs := map[string]string{}                 // "Category/Name" -> id
	for _, cat := range []struct {
		name, cardinality string
		tags              []string
		types             []string
	}{
		{"CostCentre", "SINGLE", costCentres, []string{"VirtualMachine"}},
		{"Environment", "MULTIPLE", environments, []string{"VirtualMachine"}},
		{"Location", "SINGLE", []string{"Rack-1"}, []string{"HostSystem"}},
	} {
		id, err := category(cat.name, cat.cardinality, cat.types)
		if err != nil {
			return err
		}
		for _, t := range cat.tags {
			if tagIDs[cat.name+"/"+t], err = tag(id, t); err != nil {
				return err
			}
		}
	}
	object := func(ref types.ManagedObjectReference) map[string]string {
		return map[string]string{"type": ref.Type, "id": ref.Value}
	}
	for ref, p := range made {
		a := attributesOf(seed, p.name)
		if a.costCentre != "" {
			id := tagIDs["CostCentre/"+a.costCentre]
			attached[id] = append(attached[id], object(ref))
		}
		for _, e := range a.environments {
			id := tagIDs["Environment/"+e]
			attached[id] = append(attached[id], object(ref))
		}
	}
	for _, h := range simulator.Map.All("HostSystem") {
		id := tagIDs["Location/Rack-1"]
		attached[id] = append(attached[id], object(h.Reference()))
	}
	ids := make([]string, 0, len(attached))
	for id := range attached {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		path := "/rest/com/vmware/cis/tagging/tag-association/id:" + id + "?~action=attach-tag-to-multiple-objects"
		if _, err := c.call(http.MethodPost, path, map[string]interface{}{"object_ids": attached[id]}); err != nil {
			return err
		}
	}
	_, _ = c.call(http.MethodDelete, "/rest/com/vmware/cis/session", nil)
	return nil
}
