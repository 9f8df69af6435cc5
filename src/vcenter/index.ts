// The vSphere side of vctp: a purpose-built vim25 SOAP client and the inventory collector.
// Nothing here touches the database or aggregates; jobs combine it with core and store.
export { collectInventory, type CollectOptions } from './inventory-collector.js';
export { CREATION_EVENT_TYPES, REMOVAL_EVENT_TYPES, findCreationEvents, findRemovalTimes } from './events.js';
export { retrieveProperties, withContainerView, type ObjectContent } from './property-collector.js';
export { VcenterCallError, VimFaultError, isVimFault } from './vim-errors.js';
export { VimSession, vcenterName, type ServiceContent, type VcenterTarget } from './vim-session.js';
export { MoRef, type VimObject, type VimValue } from './vim-values.js';
export { waitForTask } from './tasks.js';
