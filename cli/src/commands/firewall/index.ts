/** `skyy firewall validate|plan|apply`: pfSense desired state from the terminal. */
export { firewallValidate, type FirewallValidateOptions } from './validate.ts';
export { firewallPlan, type FirewallPlanOptions } from './plan.ts';
export { firewallApply, type FirewallApplyOptions } from './apply.ts';
