package main

// Paging and fault injection for the root PropertyCollector.
//
// govmomi 0.24's simulator answers RetrievePropertiesEx with every object at once and has no
// ContinueRetrievePropertiesEx. pagingCollector embeds simulator.PropertyCollector BY VALUE and
// is registered under the ServiceContent's propertyCollector moref: the simulator gives each
// session its own reflect.New(<registered type>), so an embedded pointer would be nil there.
//
// Page size = min(-page-size, options.maxObjects), ignoring whichever is unset (0). When the
// result is larger, the first page carries a token; ContinueRetrievePropertiesEx(token) returns
// the next page of the same size and a NEW token while more remain (the old token is spent);
// the last page has no token. CancelRetrievePropertiesEx(token) drops the rest. An unknown,
// spent or other session's token gets an InvalidArgument fault (invalidProperty "token").
// The remaining objects are the values collected at the first call (a snapshot of references
// to live objects, as good as vCenter's consistency for a paged read).
//
// Fault injection: a "page request" is any RetrievePropertiesEx or ContinueRetrievePropertiesEx
// that reaches the simulator over HTTP with a valid session. A dropped page request gets no
// response at all: the handler panics with http.ErrAbortHandler, so net/http closes the TCP
// (TLS) connection; the client sees a reset/"socket hang up". A dropped Continue does not spend
// its token. Triggers:
//
//   - -fail-after-pages N [-fail-times K]: after N page requests have been served, drop the next
//     K (default 1; 0 = every following one). N counts from startup.
//   - POST /vcsim/fail-after-pages?n=N[&times=K]: the same, counting from now.
//   - POST /vcsim/fail-next-continue[?times=K]: drop the next K ContinueRetrievePropertiesEx
//     requests (RetrievePropertiesEx still works): a paged collection cut mid-way.
//   - POST /vcsim/reset-faults: disarm everything.
//   - GET  /vcsim/stats: {"pages_served":..,"dropped":..,"open_tokens":..,"fail_after_pages":..,...}
//
// The control endpoints live on the same listener (and TLS) as /sdk and need no login.

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/vpx"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// serving is set once the HTTP server is up: setup calls made in-process are not counted.
var serving atomic.Bool

func startServing() { serving.Store(true) }

var pageSize int

type pagingCollector struct {
	simulator.PropertyCollector
}

func installPagingCollector(o *options) {
	pageSize = o.pageSize
	faults.failAfter = o.failAfterPages
	faults.failTimes = o.failTimes
	pc := &pagingCollector{}
	pc.Self = vpx.ServiceContent.PropertyCollector
	simulator.Map.Put(pc)
}

func pageLimit(maxObjects int32) int {
	limit := pageSize
	if maxObjects > 0 && (limit <= 0 || int(maxObjects) < limit) {
		limit = int(maxObjects)
	}
	return limit
}

func notAuthenticated(this types.ManagedObjectReference) *soap.Fault {
	return simulator.Fault("The session is not authenticated.", &types.NotAuthenticated{
		NoPermission: types.NoPermission{Object: this, PrivilegeId: "System.View"},
	})
}

func invalidToken() *soap.Fault {
	return simulator.Fault("A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
}

func (pc *pagingCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	if ctx.Session == nil {
		return &methods.RetrievePropertiesExBody{Fault_: notAuthenticated(r.This)}
	}
	if r.Options.MaxObjects < 0 {
		return &methods.RetrievePropertiesExBody{Fault_: simulator.Fault("A specified parameter was not correct: maxObjects",
			&types.InvalidArgument{InvalidProperty: "maxObjects"})}
	}
	faults.beforePage(false)

	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	result := body.Res.Returnval
	if limit := pageLimit(r.Options.MaxObjects); limit > 0 && len(result.Objects) > limit {
		rest := append([]types.ObjectContent(nil), result.Objects[limit:]...)
		result.Objects = result.Objects[:limit:limit]
		result.Token = tokens.put(rest, limit, ctx.Session.Key)
	}
	faults.pageServed()
	return body
}

func (pc *pagingCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := new(methods.ContinueRetrievePropertiesExBody)
	if ctx.Session == nil {
		body.Fault_ = notAuthenticated(r.This)
		return body
	}
	faults.beforePage(true)

	p := tokens.take(r.Token, ctx.Session.Key)
	if p == nil {
		body.Fault_ = invalidToken()
		return body
	}
	result := types.RetrieveResult{Objects: p.objects}
	if len(p.objects) > p.limit {
		result.Objects = p.objects[:p.limit:p.limit]
		result.Token = tokens.put(p.objects[p.limit:], p.limit, ctx.Session.Key)
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: result}
	faults.pageServed()
	return body
}

func (pc *pagingCollector) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := new(methods.CancelRetrievePropertiesExBody)
	if ctx.Session == nil {
		body.Fault_ = notAuthenticated(r.This)
		return body
	}
	if tokens.take(r.Token, ctx.Session.Key) == nil {
		body.Fault_ = invalidToken()
		return body
	}
	body.Res = new(types.CancelRetrievePropertiesExResponse)
	return body
}

// ---- tokens ----

type pending struct {
	objects []types.ObjectContent
	limit   int
	session string
	created time.Time
}

type tokenStore struct {
	mu    sync.Mutex
	next  int64
	items map[string]*pending
}

var tokens = &tokenStore{items: make(map[string]*pending)}

const (
	maxOpenTokens = 1024
	tokenTTL      = 30 * time.Minute
)

func (s *tokenStore) put(objects []types.ObjectContent, limit int, session string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	// Forgotten tokens (a client that never finished or cancelled) must not pile up.
	var oldest string
	for k, p := range s.items {
		if now.Sub(p.created) > tokenTTL {
			delete(s.items, k)
		} else if oldest == "" || p.created.Before(s.items[oldest].created) {
			oldest = k
		}
	}
	if len(s.items) >= maxOpenTokens && oldest != "" {
		delete(s.items, oldest)
	}
	s.next++
	token := "vcsim-page-" + strconv.FormatInt(s.next, 10)
	s.items[token] = &pending{objects: objects, limit: limit, session: session, created: now}
	return token
}

func (s *tokenStore) take(token, session string) *pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.items[token]
	if !ok || p.session != session {
		return nil
	}
	delete(s.items, token)
	return p
}

func (s *tokenStore) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// ---- fault injection ----

type faultState struct {
	mu           sync.Mutex
	failAfter    int // -1: off
	failTimes    int // 0: unlimited
	served       int // page requests served since arming
	dropped      int // page requests dropped since arming
	continueDrop int // ContinueRetrievePropertiesEx requests still to drop
	totalServed  int
	totalDropped int
}

var faults = &faultState{failAfter: -1, failTimes: 1}

// beforePage drops the connection (panics with http.ErrAbortHandler) when a fault is due.
func (f *faultState) beforePage(isContinue bool) {
	if !serving.Load() {
		return
	}
	f.mu.Lock()
	drop := false
	if isContinue && f.continueDrop > 0 {
		f.continueDrop--
		drop = true
	} else if f.failAfter >= 0 && f.served >= f.failAfter && (f.failTimes == 0 || f.dropped < f.failTimes) {
		f.dropped++
		drop = true
	}
	if drop {
		f.totalDropped++
	}
	f.mu.Unlock()
	if drop {
		panic(http.ErrAbortHandler)
	}
}

func (f *faultState) pageServed() {
	if !serving.Load() {
		return
	}
	f.mu.Lock()
	f.served++
	f.totalServed++
	f.mu.Unlock()
}

type statsJSON struct {
	PagesServed      int `json:"pages_served"`
	Dropped          int `json:"dropped"`
	OpenTokens       int `json:"open_tokens"`
	FailAfterPages   int `json:"fail_after_pages"`
	FailTimes        int `json:"fail_times"`
	ServedSinceArmed int `json:"served_since_armed"`
	DroppedSinceArm  int `json:"dropped_since_armed"`
	ContinueDrops    int `json:"pending_continue_drops"`
	PageSize         int `json:"page_size"`
}

func (f *faultState) stats() statsJSON {
	f.mu.Lock()
	defer f.mu.Unlock()
	return statsJSON{
		PagesServed: f.totalServed, Dropped: f.totalDropped, OpenTokens: tokens.open(),
		FailAfterPages: f.failAfter, FailTimes: f.failTimes, ServedSinceArmed: f.served,
		DroppedSinceArm: f.dropped, ContinueDrops: f.continueDrop, PageSize: pageSize,
	}
}

func registerControlEndpoints(svc *simulator.Service) {
	svc.HandleFunc("/vcsim/", func(w http.ResponseWriter, r *http.Request) {
		intParam := func(name string, def int) (int, bool) {
			v := r.URL.Query().Get(name)
			if v == "" {
				return def, true
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				http.Error(w, "bad "+name, http.StatusBadRequest)
				return 0, false
			}
			return n, true
		}
		if r.URL.Path != "/vcsim/stats" && r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		switch r.URL.Path {
		case "/vcsim/stats":
		case "/vcsim/fail-after-pages":
			n, ok := intParam("n", -1)
			if !ok {
				return
			}
			times, ok := intParam("times", 1)
			if !ok {
				return
			}
			faults.mu.Lock()
			faults.failAfter, faults.failTimes, faults.served, faults.dropped = n, times, 0, 0
			faults.mu.Unlock()
		case "/vcsim/fail-next-continue":
			times, ok := intParam("times", 1)
			if !ok {
				return
			}
			faults.mu.Lock()
			faults.continueDrop = times
			faults.mu.Unlock()
		case "/vcsim/reset-faults":
			faults.mu.Lock()
			faults.failAfter, faults.failTimes, faults.served, faults.dropped, faults.continueDrop = -1, 1, 0, 0, 0
			faults.mu.Unlock()
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(faults.stats())
	})
}
