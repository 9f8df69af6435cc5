// How the chargeback filters of the settings treat a VM. The semantics (also in the README):
// - tenants_to_filter: a VM whose resource pool (or any ancestor pool) or any folder in its folder
//   path matches a pattern belongs to a tenant that is billed elsewhere; it is not captured at all.
// - templates are captured but never charged per VM: they are counted apart.
// - srm_activeactive_vms: VMs whose name matches run as active/active pairs across two sites; the
//   powered-on copy is charged like any VM (even if SRM marks it as a placeholder), the powered-off
//   copy is the standby and is counted with the SRM placeholders.
// - SRM placeholders (managedBy com.vmware.vcDr / placeholderVm) are captured, counted apart and
//   not charged: the protected VM is charged at its own site.
// - node_charge_clusters: VMs in these clusters are charged per host ("node"), so they are captured
//   and counted apart, outside the per-VM tier totals.
import { anyGlob } from './glob.js';

export type ChargeClass = 'chargeable' | 'template' | 'srm_placeholder' | 'srm_standby' | 'node_charge';

export interface ChargeRuleSettings {
  tenants_to_filter: readonly string[];
  node_charge_clusters: readonly string[];
  srm_activeactive_vms: readonly string[];
}

export interface ChargeableFacts {
  name: string;
  cluster: string | null;
  isTemplate: boolean;
  poweredOn: boolean;
  srmPlaceholder: boolean;
}

export interface TenantFacts {
  resourcePoolChain: readonly string[];
  folder: string | null;
}

export interface ChargeRules {
  isTenantFiltered(vm: TenantFacts): boolean;
  classify(vm: ChargeableFacts): ChargeClass;
}

export function chargeRules(settings: ChargeRuleSettings): ChargeRules {
  const tenant = anyGlob(settings.tenants_to_filter);
  const nodeCluster = anyGlob(settings.node_charge_clusters);
  const activeActive = anyGlob(settings.srm_activeactive_vms);
  return {
    isTenantFiltered: (vm) =>
      vm.resourcePoolChain.some(tenant) || (vm.folder ?? '').split('/').some((segment) => segment !== '' && tenant(segment)),
    classify: (vm) => {
      if (vm.isTemplate) return 'template';
      if (activeActive(vm.name)) {
        if (!vm.poweredOn) return 'srm_standby';
      } else if (vm.srmPlaceholder) return 'srm_placeholder';
      if (nodeCluster(vm.cluster)) return 'node_charge';
      return 'chargeable';
    },
  };
}
