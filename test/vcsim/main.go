// Command vcsim serves a vCenter simulator for vctp's tests and demo: VMware's own govmomi
// `simulator` package (Debian's golang-github-vmware-govmomi-dev 0.24, built by
// scripts/build-vcsim.sh in GOPATH mode) with an inventory shaped for chargeback: tier resource
// pools, templates, SRM placeholders, createDate, folders, varied sizes, paging and fault injection.
// Nothing here edits govmomi's files; every change goes through the simulator's exported objects.
//
// Startup: the inventory is built in-process (vim25 client over simulator.Service.RoundTrip),
// then the server listens and prints ONE JSON line on stdout, e.g.
//
//	{"url":"https://127.0.0.1:41234/sdk","username":"user","password":"pass","vms":123,...}
//
// and serves until SIGTERM/SIGINT (or its parent dies: PR_SET_PDEATHSIG, and stdin EOF with
// -exit-on-stdin-eof). Logs go to stderr only.
//
// What govmomi 0.24's simulator does and does not do (checked against this build):
//
//   - Events: CreateVM_Task posts VmBeingCreatedEvent, VmInstanceUuidAssignedEvent,
//     VmUuidAssignedEvent and VmCreatedEvent; Destroy_Task (via UnregisterVM) posts
//     VmRemovedEvent; power ops post VmStarting/VmPoweredOn, VmStopping/VmPoweredOff;
//     ReconfigVM_Task posts VmReconfiguredEvent; RelocateVM_Task posts none. Each event has key,
//     chainId (= key), createdTime (wall clock when posted), userName (the session's user; ""
//     for this program's setup), fullFormattedMessage ("Created virtual machine X on H in DC")
//     and the entity arguments datacenter, computeResource, host and vm {name, vm moref}.
//     QueryEvents honours filter.entity (recursion self/children/all; still works for a
//     destroyed VM's moref) and filter.eventTypeId (concrete names, or a base type such as
//     "VmEvent"), but IGNORES filter.time (beginTime/endTime), userName and the other fields.
//     It returns at most filter.maxCount events (0 means 10; above 1000 is InvalidArgument),
//     newest first, ONLY IF no more than maxCount events match: otherwise a ring-walk bug
//     returns the newest match followed by the OLDEST maxCount-1 matches. So query narrowly
//     (eventTypeId, entity) with maxCount 1000 and distrust a full page.
//     The EventManager keeps only the last 1000 events, so with a large inventory most setup
//     events are gone. This program rewrites the createdTime of the surviving setup creation
//     events to the VM's config.createDate or, for VMs without createDate, to a deterministic
//     "hidden" creation time that only the events tell. Only the last ~250 VMs created keep
//     their 4 creation events; the ~10% without createDate are created last, so all of them
//     keep theirs up to ~2,500 VMs. Setup power states are set directly: no power events.
//   - The simulator never sets config.createDate; this program sets it on ~90% of the setup VMs
//     and (unless -create-date-on-create=false) on VMs created later by CreateVM_Task, as real
//     vCenter 6.7+ does.
//   - summary.storage: the simulator derives committed from file sizes (a few bytes) and
//     uncommitted from ONE disk's capacityInBytes (a bug: multi-disk VMs are undercounted) and
//     never from capacityInKB. This program sets committed + uncommitted = the sum of the VM's
//     VirtualDisk capacities (thin: committed is a per-VM fraction of it) at setup and again
//     after every successful task on a VM (ReconfigVM_Task, power ops, relocate, ...).
//   - RelocateVM_Task with spec.pool sets vm.resourcePool but forgets to move the VM between
//     the pools' `vm` lists (and hosts' `vm` lists for spec.host); a task hook here fixes both.
//     MoveIntoResourcePool is not implemented in 0.24.
//   - Paging: the 0.24 PropertyCollector ignores options.maxObjects and has no
//     ContinueRetrievePropertiesEx. See paging.go: the root PropertyCollector is replaced by a
//     wrapper type that embeds simulator.PropertyCollector by value (each session gets
//     reflect.New of the registered type, so an embedded pointer would be nil).
//   - Auth: without -username/-password any non-empty pair logs in (the JSON line then says
//     user/pass). With them, Service.Listen.User is set and SessionManager.Login accepts only
//     that pair; anything else gets the real InvalidLogin fault ("Login failure").
//     The simulator lets RetrievePropertiesEx through without a session (answering every
//     property with a NotAuthenticated MissingSet entry); the wrapper here returns the
//     NotAuthenticated fault instead, as vCenter does.
//   - TLS: Service.TLS is a *tls.Config; NewServer starts httptest-style StartTLS with it and
//     only falls back to the built-in localhost cert when it has no Certificates. With
//     -cert-dir a CA and a server cert (SAN 127.0.0.1, ::1, localhost) are written there and
//     ca_file names the CA; without it ca_file is the built-in cert, written to a temp file.
//   - Fault injection (-fail-after-pages, control endpoints): see paging.go. A dropped request
//     panics with http.ErrAbortHandler inside the SOAP handler, so net/http closes the TCP
//     connection without writing any response.
//   - Custom attributes and tags (vAPI): see attributes.go.
//   - XML: the simulator writes xsi:type with its own prefix, e.g.
//     <val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance"
//     XMLSchema-instance:type="xsd:string">, so a client must resolve the prefix, not match
//     "xsi:type" literally. Tasks run synchronously: a task is already finished when the
//     *_Task call returns. WaitForUpdatesEx works on the wrapped collector.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
)

type options struct {
	listen           string
	dc               int
	cluster          int
	host             int
	standalone       int
	vm               int
	templates        int
	srmPlaceholders  int
	seed             int64
	now              int64
	useTLS           bool
	certDir          string
	username         string
	password         string
	pageSize         int
	failAfterPages   int
	failTimes        int
	createDateOnNew  bool
	sessionTimeout   time.Duration
	exitOnStdinEOF   bool
	trace            bool
	datastoreTempDir string
	attributes       bool
	vapi             bool
	vapiAPI          bool
}

func parseFlags() *options {
	o := &options{}
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to listen on (port 0: pick a free one; the JSON line tells which)")
	flag.IntVar(&o.dc, "dc", 1, "datacenters")
	flag.IntVar(&o.cluster, "cluster", 2, "clusters per datacenter")
	flag.IntVar(&o.host, "host", 2, "hosts per cluster")
	flag.IntVar(&o.standalone, "standalone-host", 1, "standalone hosts per datacenter")
	flag.IntVar(&o.vm, "vm", 20, "VMs per cluster and per standalone host (govmomi model semantics)")
	flag.IntVar(&o.templates, "templates", 1, "VMs per cluster that are templates (config.template=true, no resourcePool)")
	flag.IntVar(&o.srmPlaceholders, "srm-placeholders", 1, "VMs per cluster that are SRM placeholders (config.managedBy com.vmware.vcDr/placeholderVm)")
	flag.Int64Var(&o.seed, "seed", 1, "seed for deterministic sizes, power states and dates")
	flag.Int64Var(&o.now, "now", 0, "reference unix time for createDate values (default: today 00:00 UTC)")
	flag.BoolVar(&o.useTLS, "tls", true, "serve https (-tls=false: plain http)")
	flag.StringVar(&o.certDir, "cert-dir", "", "write ca.pem, server.pem, server-key.pem here and serve with them")
	flag.StringVar(&o.username, "username", "", "only this user may log in (with -password)")
	flag.StringVar(&o.password, "password", "", "only this password may log in (with -username)")
	flag.IntVar(&o.pageSize, "page-size", 0, "max objects per RetrievePropertiesEx/Continue page even when more are asked (0: only options.maxObjects limits)")
	flag.IntVar(&o.failAfterPages, "fail-after-pages", -1, "after serving N pages (RetrievePropertiesEx + ContinueRetrievePropertiesEx), drop the connection of the next page request (-1: off)")
	flag.IntVar(&o.failTimes, "fail-times", 1, "how many page requests to drop once -fail-after-pages triggers (0: all following)")
	flag.BoolVar(&o.createDateOnNew, "create-date-on-create", true, "set config.createDate on VMs created by CreateVM_Task after startup")
	flag.DurationVar(&o.sessionTimeout, "session-timeout", 0, "expire idle sessions after this long (0: never)")
	flag.BoolVar(&o.exitOnStdinEOF, "exit-on-stdin-eof", false, "exit when stdin reaches EOF (the parent went away)")
	flag.BoolVar(&o.trace, "trace", false, "log SOAP traffic to stderr")
	flag.StringVar(&o.datastoreTempDir, "datastore-dir", "", "directory for the simulated datastores' files (default: a new dir in /dev/shm, removed on exit; else $TMPDIR)")
	flag.BoolVar(&o.attributes, "attributes", false, "give VMs custom attributes and tags (attributes.go)")
	flag.BoolVar(&o.vapi, "vapi", true, "serve the vAPI tagging endpoints under /rest/ (-vapi=false: a server without tagging)")
	flag.BoolVar(&o.vapiAPI, "vapi-api", false, "also serve the /api flavour of the vAPI session and tagging calls (vCenter 7.0 U2+), translated onto /rest")
	flag.Parse()
	if (o.username == "") != (o.password == "") {
		log.Fatal("-username and -password go together")
	}
	if o.now == 0 {
		o.now = time.Now().UTC().Truncate(24 * time.Hour).Unix()
	}
	return o
}

// readyLine is the JSON line printed on stdout once the server listens.
type readyLine struct {
	URL         string `json:"url"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	CAFile      string `json:"ca_file,omitempty"`
	VMs         int    `json:"vms"`
	Templates   int    `json:"templates"`
	Placeholder int    `json:"srm_placeholders"`
	Datacenters int    `json:"datacenters"`
	Clusters    int    `json:"clusters"`
	Hosts       int    `json:"hosts"`
	PageSize    int    `json:"page_size"`
	Control     string `json:"control"`
	PID         int    `json:"pid"`
	StartupMS   int64  `json:"startup_ms"`
	Attributes  bool   `json:"attributes"`
	Vapi        bool   `json:"vapi"`
}

func main() {
	log.SetOutput(os.Stderr)
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("vcsim: ")
	setParentDeathSignal()
	os.Exit(run(parseFlags()))
}

func run(o *options) int {
	start := time.Now()
	// A signal (or the parent's death) while the inventory is being built: there is no server to
	// close yet, just the datastore files to remove.
	stop := make(chan os.Signal, 2)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if o.exitOnStdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop <- syscall.SIGTERM
		}()
	}
	// Model.Create puts each datastore in ioutil.TempDir("", ...), which honours TMPDIR. Every VM
	// costs a directory and 4-6 empty files there: on tmpfs 10,000 VMs start in ~7 s, on this
	// machine's ext4 /tmp in ~25 s. So the default is a fresh directory in /dev/shm.
	dsDir, ownDir := o.datastoreTempDir, false
	if dsDir == "" {
		if d, err := os.MkdirTemp("/dev/shm", "vcsim-"); err == nil {
			dsDir, ownDir = d, true
		}
	}
	if dsDir != "" {
		if err := os.MkdirAll(dsDir, 0o700); err != nil {
			log.Print(err)
			return 1
		}
		os.Setenv("TMPDIR", dsDir)
		defer removeAll(dsDir, ownDir)
	}
	ready := make(chan struct{})
	go func() {
		select {
		case sig := <-stop:
			log.Printf("%v while starting: exiting", sig)
			aborting.Store(true) // the builder stops at the next VM; run's defers clean up
			time.Sleep(3 * time.Second)
			removeAll(dsDir, ownDir)
			os.Exit(1)
		case <-ready:
		}
	}()

	simulator.Trace = o.trace
	if o.sessionTimeout > 0 {
		simulator.SessionIdleTimeout = o.sessionTimeout
	}

	model, inv, err := buildInventory(o)
	if model != nil {
		defer model.Remove() // the datastores' temp directories
	}
	if err != nil {
		log.Printf("building inventory: %v", err)
		return 1
	}

	installPagingCollector(o)
	installTaskHook(o)
	giveInstanceUuid()

	svc := model.Service
	svc.Listen = &url.URL{Host: o.listen}
	username, password := simulator.DefaultLogin.Username(), "pass"
	if p, ok := simulator.DefaultLogin.Password(); ok {
		password = p
	}
	if o.username != "" {
		// SessionManager.Login then accepts only this pair (else: InvalidLogin).
		svc.Listen.User = url.UserPassword(o.username, o.password)
		username, password = o.username, o.password
	}
	caFile := ""
	if o.useTLS {
		cfg, ca, err := tlsConfig(o.certDir)
		if err != nil {
			log.Printf("tls: %v", err)
			return 1
		}
		svc.TLS = cfg
		caFile = ca
	}
	registerControlEndpoints(svc)
	registerVapiControl(svc)

	server := svc.NewServer()
	if o.vapi {
		mountVapi(svc, server, o.vapiAPI)
		if o.attributes {
			if err := seedTags(o.seed, inv.made); err != nil {
				log.Printf("seeding tags: %v", err)
				server.Close()
				return 1
			}
		}
	}
	if o.useTLS && caFile == "" {
		if caFile, err = server.CertificateFile(); err != nil {
			log.Printf("writing the built-in certificate: %v", err)
		}
	}

	u := *server.URL
	u.User = nil
	u.RawQuery = ""
	line := readyLine{
		URL: u.String(), Username: username, Password: password, CAFile: caFile,
		VMs: inv.vms, Templates: inv.templates, Placeholder: inv.placeholders,
		Datacenters: o.dc, Clusters: o.dc * o.cluster, Hosts: o.dc * (o.cluster*o.host + o.standalone),
		PageSize: o.pageSize, Control: strings.TrimSuffix(u.String(), u.Path) + "/vcsim/",
		PID: os.Getpid(), StartupMS: time.Since(start).Milliseconds(),
		Attributes: o.attributes, Vapi: o.vapi,
	}
	if aborting.Load() {
		server.Close()
		return 1
	}
	startServing()
	close(ready)
	out, _ := json.Marshal(line)
	fmt.Fprintf(os.Stdout, "%s\n", out)

	<-stop
	// Close waits for in-flight requests; a stuck client must not keep us alive.
	done := make(chan struct{})
	go func() {
		server.Close() // also removes the built-in certificate's temp file
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	return 0
}

// setParentDeathSignal asks Linux to send SIGTERM when the process that started us dies, so a
// test runner killed with SIGKILL does not leave simulators behind.
func setParentDeathSignal() {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
}

// aborting is set when a signal arrives before the server is up.
var aborting atomic.Bool

// removeAll removes our own datastore directory; it retries because a VM being created at the
// same moment can re-populate it.
func removeAll(dir string, own bool) {
	if !own {
		return
	}
	for i := 0; i < 20; i++ {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// giveInstanceUuid makes every simulator a vCenter of its own, as real ones are: govmomi 0.24 means
// to draw a random about.instanceUuid but sets it on a copy of the content after storing it, so
// every simulator answers the same fixed UUID, and vctp (which recognises one vCenter listed under
// two names by that UUID) would take two simulators for one.
func giveInstanceUuid() {
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	si.Content.About.InstanceUuid = uuid.New().String()
}
