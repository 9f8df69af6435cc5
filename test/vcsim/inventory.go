package main

// The inventory: govmomi's VPX model builds datacenters, clusters, hosts and one datastore per
// datacenter (with -vm as Model.Machine = 0); the VMs, pools and folders are then made here
// through the simulator's own SOAP methods (in-process client), and the few properties the
// simulator cannot set (createDate, template, power state, storage summary) are set on its
// objects before the server starts.
//
// Per cluster: pools Tin, Bronze, Silver, Gold and Gold/App under the root pool "Resources".
// VM i of a cluster goes to poolCycle[i%10]: Tin Bronze Silver Gold <root> Tin Bronze Silver
// Gold App, so 10% have no tier pool (root) and 10% sit in App (a pool whose own name is no
// tier). The last -templates VMs of each cluster are templates (folder Templates, no
// resourcePool, powered off); the -srm-placeholders before them are SRM placeholders (powered
// off). VM folder: i%6 in {0,1,2}: the datacenter's vm folder, 3: Team-A, 4: Team-B,
// 5: Team-B/Sub. Standalone-host VMs sit in the host's root pool. Sizes, power state (85% on)
// and dates come from -seed and the VM's name only, so a VM keeps its values when counts change.

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

type inventory struct {
	vms, templates, placeholders int
	// made: every VM created at setup, with its plan (attributes.go seeds tags from it).
	made map[types.ManagedObjectReference]*vmPlan
}

type vmPlan struct {
	name        string
	folder      types.ManagedObjectReference
	pool        types.ManagedObjectReference
	host        types.ManagedObjectReference
	template    bool
	placeholder bool
	poweredOn   bool
	hasCreate   bool
	created     time.Time // config.createDate, or (hasCreate=false) the time only events tell
	numCPU      int32
	memoryMB    int64
	disksGB     []int64
	guestID     string
}

var (
	poolCycle  = []string{"Tin", "Bronze", "Silver", "Gold", "", "Tin", "Bronze", "Silver", "Gold", "App"}
	cpuChoices = []int32{1, 2, 2, 4, 4, 8}
	memChoices = []int64{1024, 2048, 4096, 4096, 6144, 8192, 12288, 16384}
	diskGB     = []int64{16, 20, 40, 50, 60, 80, 100, 120, 200, 250, 500}
	guestIDs   = []string{
		string(types.VirtualMachineGuestOsIdentifierRhel8_64Guest),
		string(types.VirtualMachineGuestOsIdentifierUbuntu64Guest),
		string(types.VirtualMachineGuestOsIdentifierWindows2019srv_64Guest),
		string(types.VirtualMachineGuestOsIdentifierCentos7_64Guest),
		string(types.VirtualMachineGuestOsIdentifierOtherGuest64),
	}
	// Names that a SOAP client must escape/decode correctly (vCenter itself only escapes % / \).
	oddSuffixes = []string{" (R&D)", "-café", " <legacy>", " 'qa' \"x\""}
)

// storageSeed keys the thin-provisioning share of setStorageSummary (also used by the task hook).
var storageSeed int64

func buildInventory(o *options) (*simulator.Model, *inventory, error) {
	storageSeed = o.seed
	if o.vm > 0 && o.cluster > 0 && o.host <= 0 {
		return nil, nil, fmt.Errorf("-vm needs -host >= 1 when -cluster >= 1")
	}
	m := simulator.VPX()
	m.Datacenter = o.dc
	m.Cluster = o.cluster
	m.ClusterHost = o.host
	m.Host = o.standalone
	m.Machine = 0
	m.Datastore = 1
	m.Autostart = false
	if err := m.Create(); err != nil {
		return m, nil, err
	}

	ctx := context.Background()
	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return m, nil, err
	}
	b := &builder{o: o, ctx: ctx, c: c, now: time.Unix(o.now, 0).UTC(), inv: &inventory{}}
	if err := b.plan(); err != nil {
		return m, nil, err
	}
	if err := b.create(); err != nil {
		return m, nil, err
	}
	b.backdateEvents()
	growDatastores()
	if o.attributes {
		if err := b.seedCustomAttributes(); err != nil {
			return m, nil, err
		}
	}
	b.inv.made = b.made
	return m, b.inv, nil
}

type builder struct {
	o     *options
	ctx   context.Context
	c     *vim25.Client
	now   time.Time
	inv   *inventory
	plans []*vmPlan
	made  map[types.ManagedObjectReference]*vmPlan
}

func (b *builder) plan() error {
	finder := find.NewFinder(b.c, false)
	for d := 0; d < b.o.dc; d++ {
		dcName := fmt.Sprintf("DC%d", d)
		dc, err := finder.Datacenter(b.ctx, dcName)
		if err != nil {
			return err
		}
		finder.SetDatacenter(dc)
		folders, err := dc.Folders(b.ctx)
		if err != nil {
			return err
		}
		root := folders.VmFolder
		teamA, err := root.CreateFolder(b.ctx, "Team-A")
		if err != nil {
			return err
		}
		teamB, err := root.CreateFolder(b.ctx, "Team-B")
		if err != nil {
			return err
		}
		sub, err := teamB.CreateFolder(b.ctx, "Sub")
		if err != nil {
			return err
		}
		templates, err := root.CreateFolder(b.ctx, "Templates")
		if err != nil {
			return err
		}
		vmFolders := []types.ManagedObjectReference{root.Reference(), root.Reference(), root.Reference(),
			teamA.Reference(), teamB.Reference(), sub.Reference()}

		for h := 0; h < b.o.standalone; h++ {
			name := fmt.Sprintf("%s_H%d", dcName, h)
			cr, err := finder.ComputeResource(b.ctx, name)
			if err != nil {
				return err
			}
			pool, err := cr.ResourcePool(b.ctx)
			if err != nil {
				return err
			}
			hosts, err := cr.Hosts(b.ctx)
			if err != nil || len(hosts) == 0 {
				return fmt.Errorf("standalone host %s: %v", name, err)
			}
			for i := 0; i < b.o.vm; i++ {
				p := b.newPlan(fmt.Sprintf("%s_VM%d", name, i), i)
				p.folder, p.pool, p.host = vmFolders[i%len(vmFolders)], pool.Reference(), hosts[0].Reference()
			}
		}

		for k := 0; k < b.o.cluster; k++ {
			name := fmt.Sprintf("%s_C%d", dcName, k)
			cl, err := finder.ClusterComputeResource(b.ctx, name)
			if err != nil {
				return err
			}
			rootPool, err := cl.ResourcePool(b.ctx)
			if err != nil {
				return err
			}
			hosts, err := cl.Hosts(b.ctx)
			if err != nil {
				return err
			}
			pools := map[string]types.ManagedObjectReference{"": rootPool.Reference()}
			for _, tier := range []string{"Tin", "Bronze", "Silver", "Gold"} {
				rp, err := rootPool.Create(b.ctx, tier, types.DefaultResourceConfigSpec())
				if err != nil {
					return err
				}
				pools[tier] = rp.Reference()
			}
			app, err := object.NewResourcePool(b.c, pools["Gold"]).Create(b.ctx, "App", types.DefaultResourceConfigSpec())
			if err != nil {
				return err
			}
			pools["App"] = app.Reference()

			nTemplates := clamp(b.o.templates, 0, b.o.vm)
			nPlaceholders := clamp(b.o.srmPlaceholders, 0, b.o.vm-nTemplates)
			for i := 0; i < b.o.vm; i++ {
				p := b.newPlan(fmt.Sprintf("%s_VM%d", name, i), i)
				p.folder, p.pool, p.host = vmFolders[i%len(vmFolders)], pools[poolCycle[i%len(poolCycle)]], hosts[i%len(hosts)].Reference()
				switch {
				case i >= b.o.vm-nTemplates:
					p.template, p.poweredOn, p.folder = true, false, templates.Reference()
				case i >= b.o.vm-nTemplates-nPlaceholders:
					p.placeholder, p.poweredOn = true, false
				}
			}
		}
	}
	return nil
}

func (b *builder) newPlan(name string, i int) *vmPlan {
	if i%50 == 7 {
		name += oddSuffixes[(i/50)%len(oddSuffixes)]
	}
	r := newRng(b.o.seed, name)
	p := &vmPlan{
		name:      name,
		numCPU:    cpuChoices[r.intn(len(cpuChoices))],
		memoryMB:  memChoices[r.intn(len(memChoices))],
		guestID:   guestIDs[r.intn(len(guestIDs))],
		poweredOn: r.float() < 0.85,
		hasCreate: r.float() >= 0.10,
		created:   b.now.Add(-time.Duration(1+r.intn(400*24*3600)) * time.Second),
	}
	for n := 1 + r.intn(3); n > 0; n-- {
		p.disksGB = append(p.disksGB, diskGB[r.intn(len(diskGB))])
	}
	b.plans = append(b.plans, p)
	return p
}

// create makes the VMs: those with createDate first, so the VmCreatedEvents that survive the
// simulator's 1000-event ring belong to VMs whose creation time only events can tell.
func (b *builder) create() error {
	sort.SliceStable(b.plans, func(i, j int) bool { return b.plans[i].hasCreate && !b.plans[j].hasCreate })
	b.made = make(map[types.ManagedObjectReference]*vmPlan, len(b.plans))
	for _, p := range b.plans {
		if aborting.Load() {
			return fmt.Errorf("interrupted")
		}
		ref, err := b.createVM(p)
		if err != nil {
			return fmt.Errorf("creating %s: %w", p.name, err)
		}
		b.made[ref] = p
		b.inv.vms++
		vm := simulator.Map.Get(ref).(*simulator.VirtualMachine)
		if p.hasCreate {
			t := p.created
			vm.Config.CreateDate = &t
		}
		setStorageSummary(vm)
		if p.poweredOn {
			boot := b.now.Add(-time.Duration(newRng(b.o.seed, p.name+"/boot").intn(30*24*3600)) * time.Second)
			vm.Runtime.PowerState = types.VirtualMachinePowerStatePoweredOn
			vm.Runtime.BootTime = &boot
			vm.Summary.Runtime.PowerState = vm.Runtime.PowerState
			vm.Summary.Runtime.BootTime = &boot
		}
		if p.placeholder {
			b.inv.placeholders++
		}
		if p.template {
			b.inv.templates++
			// vSphere templates belong to no resource pool.
			if pool, ok := simulator.Map.Get(*vm.ResourcePool).(*simulator.ResourcePool); ok {
				simulator.Map.RemoveReference(pool, &pool.Vm, ref)
			}
			vm.ResourcePool = nil
			vm.Config.Template = true
			vm.Summary.Config.Template = true
		}
	}
	return nil
}

func (b *builder) createVM(p *vmPlan) (types.ManagedObjectReference, error) {
	const ds = "[LocalDS_0]"
	spec := types.VirtualMachineConfigSpec{
		Name:       p.name,
		GuestId:    p.guestID,
		NumCPUs:    p.numCPU,
		MemoryMB:   p.memoryMB,
		Annotation: "vctp test VM",
		Files:      &types.VirtualMachineFileInfo{VmPathName: ds},
	}
	if p.placeholder {
		spec.ManagedBy = &types.ManagedByInfo{ExtensionKey: "com.vmware.vcDr", Type: "placeholderVm"}
	}
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	devices = append(devices, scsi)
	for i, gb := range p.disksGB {
		disk := devices.CreateDisk(scsi.(types.BaseVirtualController), types.ManagedObjectReference{},
			fmt.Sprintf("%s %s/disk%d.vmdk", ds, p.name, i+1))
		disk.CapacityInKB = gb << 20
		disk.CapacityInBytes = gb << 30
		devices = append(devices, disk)
	}
	devices = append(devices, &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: types.VirtualEthernetCard{
		VirtualDevice: types.VirtualDevice{Backing: &types.VirtualEthernetCardNetworkBackingInfo{
			VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"},
		}},
		AddressType: string(types.VirtualEthernetCardMacTypeGenerated),
	}}})
	if spec.DeviceChange, err = devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd); err != nil {
		return types.ManagedObjectReference{}, err
	}

	host := p.host
	res, err := methods.CreateVM_Task(b.ctx, b.c, &types.CreateVM_Task{This: p.folder, Config: spec, Pool: p.pool, Host: &host})
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	// Tasks run synchronously in this simulator: read the result instead of waiting on it
	// (WaitForResult would cost a property filter per VM), then drop the finished task.
	task, ok := simulator.Map.Get(res.Returnval).(*simulator.Task)
	if !ok {
		return types.ManagedObjectReference{}, fmt.Errorf("task %s not found", res.Returnval)
	}
	defer simulator.Map.Remove(res.Returnval)
	if task.Info.Error != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("%T", task.Info.Error.Fault)
	}
	ref, ok := task.Info.Result.(types.ManagedObjectReference)
	if !ok {
		return types.ManagedObjectReference{}, fmt.Errorf("CreateVM_Task returned %T", task.Info.Result)
	}
	return ref, nil
}

// backdateEvents moves the surviving setup creation events to the VM's creation time: the
// simulator stamps them with the wall clock of the setup run.
func (b *builder) backdateEvents() {
	em := b.c.ServiceContent.EventManager
	if em == nil {
		return
	}
	res, err := methods.QueryEvents(b.ctx, b.c, &types.QueryEvents{This: *em, Filter: types.EventFilterSpec{
		MaxCount:    1000,
		EventTypeId: []string{"VmBeingCreatedEvent", "VmInstanceUuidAssignedEvent", "VmUuidAssignedEvent", "VmCreatedEvent"},
	}})
	if err != nil {
		return
	}
	// The in-process client hands back the simulator's own event objects, so this edits them.
	for _, ev := range res.Returnval {
		e := ev.GetEvent()
		if e.Vm == nil {
			continue
		}
		if p, ok := b.made[e.Vm.Vm]; ok {
			e.CreatedTime = p.created
		}
	}
}

// growDatastores keeps free space positive: the simulator subtracts every disk's capacity from
// the datastore it found on the local filesystem.
func growDatastores() {
	for _, e := range simulator.Map.All("Datastore") {
		ds, ok := e.(*simulator.Datastore)
		if !ok || ds.Summary.FreeSpace > ds.Summary.Capacity/10 {
			continue
		}
		used := ds.Summary.Capacity - ds.Summary.FreeSpace
		ds.Summary.Capacity = used * 2
		ds.Summary.FreeSpace = used
		if info := ds.Info.GetDatastoreInfo(); info != nil {
			info.FreeSpace = used
		}
	}
}

// setStorageSummary makes summary.storage agree with the disks: committed + uncommitted = sum
// of the VirtualDisk capacities, committed being a per-VM thin-provisioning share of it.
func setStorageSummary(vm *simulator.VirtualMachine) {
	if vm.Config == nil {
		return
	}
	var provisioned int64
	for _, d := range vm.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			size := disk.CapacityInBytes
			if size == 0 {
				size = disk.CapacityInKB * 1024
			}
			provisioned += size
		}
	}
	share := 0.15 + 0.8*newRng(storageSeed, vm.Self.Value).float()
	committed := int64(float64(provisioned) * share)
	uncommitted := provisioned - committed
	now := time.Now()
	vm.Summary.Storage = &types.VirtualMachineStorageSummary{
		Committed: committed, Uncommitted: uncommitted, Unshared: committed, Timestamp: now,
	}
	if vm.Storage != nil && len(vm.Datastore) > 0 {
		vm.Storage.PerDatastoreUsage = []types.VirtualMachineUsageOnDatastore{{
			Datastore: vm.Datastore[0], Committed: committed, Uncommitted: uncommitted, Unshared: committed,
		}}
		vm.Storage.Timestamp = now
	}
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// rng is splitmix64 keyed by (seed, name): each VM's values depend on nothing else.
type rng struct{ s uint64 }

func newRng(seed int64, key string) *rng {
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	return &rng{s: uint64(seed)*0x9E3779B97F4A7C15 ^ h.Sum64()}
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }
