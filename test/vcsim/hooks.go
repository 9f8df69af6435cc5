package main

// taskHook runs after every successful task and repairs what govmomi 0.24's simulator leaves
// inconsistent (see main.go): config.createDate on VMs made by CreateVM_Task (and clones),
// summary.storage after any VM task, and the pools' and hosts' `vm` lists after RelocateVM_Task.
// It is a simulator.RegisterObject: Registry.Update calls it, in the task's goroutine while the
// task's entity is locked, with the task's final state already applied.

import (
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

type taskHook struct {
	self            types.ManagedObjectReference
	createDateOnNew bool
}

func installTaskHook(o *options) {
	simulator.Map.AddHandler(&taskHook{
		self:            types.ManagedObjectReference{Type: "VctpTaskHook", Value: "vctp-task-hook"},
		createDateOnNew: o.createDateOnNew,
	})
}

func (h *taskHook) Reference() types.ManagedObjectReference { return h.self }

func (h *taskHook) PutObject(mo.Reference) {}

func (h *taskHook) RemoveObject(types.ManagedObjectReference) {}

func (h *taskHook) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	task, ok := obj.(*mo.Task)
	if !ok || task.Info.State != types.TaskInfoStateSuccess || !hasChange(changes, "info.completeTime") {
		return
	}
	switch task.Info.DescriptionId {
	case "Folder.createVm":
		ref, ok := task.Info.Result.(types.ManagedObjectReference)
		if !ok {
			return
		}
		if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok {
			if h.createDateOnNew && vm.Config != nil && vm.Config.CreateDate == nil {
				now := time.Now().UTC()
				vm.Config.CreateDate = &now
			}
			setStorageSummary(vm)
		}
	default:
		if task.Info.Entity == nil || task.Info.Entity.Type != "VirtualMachine" {
			return
		}
		vm, ok := simulator.Map.Get(*task.Info.Entity).(*simulator.VirtualMachine)
		if !ok {
			return // destroyed
		}
		setStorageSummary(vm)
		if task.Info.DescriptionId == "VirtualMachine.relocateVm" {
			fixMembership(vm)
		}
	}
}

func hasChange(changes []types.PropertyChange, name string) bool {
	for _, c := range changes {
		if c.Name == name {
			return true
		}
	}
	return false
}

// fixMembership makes the VM a member of exactly its own resource pool and host.
func fixMembership(vm *simulator.VirtualMachine) {
	for _, e := range simulator.Map.All("ResourcePool") {
		if pool, ok := e.(*simulator.ResourcePool); ok {
			member := vm.ResourcePool != nil && *vm.ResourcePool == pool.Self
			syncMember(pool, &pool.Vm, vm.Self, member)
		}
	}
	for _, e := range simulator.Map.All("HostSystem") {
		if host, ok := e.(*simulator.HostSystem); ok {
			member := vm.Runtime.Host != nil && *vm.Runtime.Host == host.Self
			syncMember(host, &host.Vm, vm.Self, member)
		}
	}
}

func syncMember(obj mo.Reference, list *[]types.ManagedObjectReference, ref types.ManagedObjectReference, member bool) {
	has := false
	for _, r := range *list {
		if r == ref {
			has = true
			break
		}
	}
	switch {
	case member && !has:
		simulator.Map.AppendReference(obj, list, ref)
	case !member && has:
		simulator.Map.RemoveReference(obj, list, ref)
	}
}
