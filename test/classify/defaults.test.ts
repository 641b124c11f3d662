import { describe, expect, it } from 'vitest';
import { Classifier } from '../../src/classify/classifier.js';
import { classifyConfigSchema } from '../../src/classify/config.js';
import { loadRuleSet } from '../../src/classify/load.js';
import { buildEvent, buildRef } from '../support/builders.js';

const rules = loadRuleSet({ defaults: true });
const fresh = (): Classifier => new Classifier(rules, classifyConfigSchema.parse({}));

type Row = [reason: string, note: string, category: string, severity?: string, extra?: { type?: string; kind?: string; controller?: string }];

const table: Row[] = [
  // kubelet: images
  ['Pulling', 'Pulling image "nginx:1.25"', 'Image.Pulling', 'Info', { type: 'Normal' }],
  ['Pulled', 'Successfully pulled image "nginx:1.25" in 1.2s', 'Image.Pulled', 'Info', { type: 'Normal' }],
  ['BackOff', 'Back-off pulling image "nginx:doesnotexist"', 'Image.PullFailed', 'Medium'],
  ['Failed', 'Error: ImagePullBackOff', 'Image.PullFailed', 'Medium'],
  ['Failed', 'Error: ErrImagePull', 'Image.PullFailed', 'Medium'],
  ['Failed', 'Failed to pull image "x/y:z": rpc error: code = NotFound desc = failed to pull and unpack image', 'Image.PullFailed'],
  ['Failed', 'Error: InvalidImageName', 'Image.Invalid'],
  ['InspectFailed', 'Failed to apply default image tag "Foo": couldn\'t parse image reference', 'Image.Invalid'],
  ['ErrImageNeverPull', 'Container image "x" is not present with pull policy of Never', 'Image.NotPresent'],
  ['Failed', 'Error: ErrImageNeverPull', 'Image.NotPresent'],
  ['Failed', 'Error: secret "db-creds" not found', 'Pod.ConfigError'],
  ['Failed', 'Error: CreateContainerConfigError', 'Pod.ConfigError'],
  ['Failed', 'Error: failed to create containerd task: OCI runtime create failed', 'Pod.Failed'],
  // kubelet: containers
  ['Created', 'Created container nginx', 'Pod.Lifecycle', 'Info', { type: 'Normal' }],
  ['Started', 'Started container nginx', 'Pod.Lifecycle', 'Info', { type: 'Normal' }],
  ['Killing', 'Stopping container nginx', 'Pod.Lifecycle', 'Info', { type: 'Normal' }],
  ['Killing', 'Container nginx failed liveness probe, will be restarted', 'Pod.Restart', 'Medium', { type: 'Normal' }],
  ['Preempting', 'Preempting other pods', 'Pod.Preempted'],
  ['BackOff', 'Back-off restarting failed container nginx in pod web-1_default(abc)', 'Pod.Restart', 'Medium'],
  ['ExceededGracePeriod', 'Container runtime did not kill the pod within specified grace period.', 'Pod.KillFailed'],
  ['FailedKillPod', 'error killing pod: failed to "KillPodSandbox"', 'Pod.KillFailed'],
  ['FailedSync', 'error determining status: rpc error', 'Pod.SyncFailed'],
  ['FailedValidation', 'Error validating pod web-1.default from api, ignoring: spec.containers: Required value', 'Pod.Invalid'],
  ['FailedPostStartHook', 'PostStartHook failed', 'Pod.HookFailed'],
  ['FailedPreStopHook', 'PreStopHook failed', 'Pod.HookFailed'],
  ['HostPortConflict', 'Predicate HostPortConflict failed', 'Pod.Rejected'],
  ['NodeSelectorMismatching', 'Predicate NodeSelectorMismatching failed', 'Pod.Rejected'],
  ['OutOfcpu', 'Node didn\'t have enough resource: cpu', 'Pod.Rejected'],
  ['OutOfmemory', 'Node didn\'t have enough resource: memory', 'Pod.Rejected'],
  // probes
  ['Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', 'Probe.Failed', 'Medium'],
  ['Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'Probe.Failed', 'Medium'],
  ['Unhealthy', 'Startup probe failed: command "cat /tmp/ready" exited with 1', 'Probe.Failed', 'Medium'],
  ['Unhealthy', 'Readiness probe failed: Get "http://10.1.2.3:8080/ready": dial tcp 10.1.2.3:8080: connect: connection refused', 'Network.Unreachable'],
  ['Unhealthy', 'Liveness probe failed: Get "http://10.1.2.3:8080/": dial tcp 10.1.2.3:8080: i/o timeout', 'Network.Unreachable'],
  ['Unhealthy', 'Liveness probe failed: dial tcp 10.1.2.3:8080: connect: no route to host', 'Network.Unreachable'],
  ['Unhealthy', 'Liveness probe failed: Get "http://10.1.2.3:8080/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', 'Probe.Timeout'],
  ['ProbeWarning', 'Readiness probe warning: Probe terminated redirects', 'Probe.Warning', 'Info'],
  // sandbox / network
  ['FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: plugin type="calico" failed (add): error getting ClusterInformation: dial tcp 10.96.0.1:443: i/o timeout', 'Network.Unreachable', 'High'],
  ['FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "abc": plugin type="bridge" failed', 'Network.CNIFailed', 'High'],
  ['FailedCreatePodSandBox', 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to reserve sandbox name', 'Pod.SandboxFailed', 'Medium'],
  ['NetworkNotReady', 'network is not ready: container runtime network not ready', 'Network.NotReady', 'High'],
  // volumes
  ['FailedMount', 'MountVolume.SetUp failed for volume "data" : rpc error: code = DeadlineExceeded desc = context deadline exceeded', 'Storage.Timeout'],
  ['FailedMount', 'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data]: timed out waiting for the condition', 'Storage.Timeout'],
  ['FailedMount', 'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found', 'Storage.MountFailed', 'Medium'],
  ['FailedAttachVolume', 'Multi-Attach error for volume "pvc-123" Volume is already exclusively attached to one node', 'Storage.MultiAttach', 'High', { controller: 'attachdetach-controller' }],
  ['FailedAttachVolume', 'AttachVolume.Attach failed for volume "pvc-1" : rpc error: code = Internal', 'Storage.AttachFailed'],
  ['FailedAttachVolume', 'AttachVolume.Attach failed for volume "pvc-1" : timed out waiting for external-attacher', 'Storage.Timeout'],
  ['FailedMapVolume', 'MapVolume.SetUpDevice failed for volume "pvc-1"', 'Storage.MountFailed'],
  ['FailedDetachVolume', 'DetachVolume.Detach failed for volume "pvc-1"', 'Storage.DetachFailed'],
  ['SuccessfulAttachVolume', 'AttachVolume.Attach succeeded for volume "pvc-1"', 'Storage.Attached', 'Info', { type: 'Normal' }],
  ['VolumeResizeFailed', 'resize volume failed', 'Storage.ResizeFailed'],
  ['FileSystemResizeFailed', 'MountVolume.NodeExpandVolume failed', 'Storage.ResizeFailed'],
  // PV controller
  ['ProvisioningSucceeded', 'Successfully provisioned volume pvc-1', 'Storage.Provisioning', 'Info', { type: 'Normal', kind: 'PersistentVolumeClaim' }],
  ['ExternalProvisioning', 'Waiting for a volume to be created by the external provisioner', 'Storage.Provisioning', 'Info', { type: 'Normal', kind: 'PersistentVolumeClaim' }],
  ['WaitForFirstConsumer', 'waiting for first consumer to be created before binding', 'Storage.Provisioning', 'Info', { type: 'Normal', kind: 'PersistentVolumeClaim' }],
  ['ProvisioningFailed', 'failed to provision volume with StorageClass "fast": rpc error: code = DeadlineExceeded desc = context deadline exceeded', 'Storage.Timeout'],
  ['ProvisioningFailed', 'storageclass.storage.k8s.io "fast" not found', 'Storage.ProvisioningFailed'],
  ['FailedBinding', 'no persistent volumes available for this claim and no storage class is set', 'Storage.BindingFailed'],
  ['VolumeMismatch', 'Cannot bind to requested volume "pv-1": storageClassName does not match', 'Storage.BindingFailed'],
  ['VolumeFailedDelete', 'error deleting volume', 'Storage.DeleteFailed'],
  // nodes
  ['NodeNotReady', 'Node node-1 status is now: NodeNotReady', 'Node.NotReady', 'High', { kind: 'Node', type: 'Normal' }],
  ['NodeNotReady', 'Node is not ready', 'Node.NotReady', 'High', { controller: 'node-controller' }],
  ['NodeReady', 'Node node-1 status is now: NodeReady', 'Node.Ready', 'Info', { kind: 'Node', type: 'Normal' }],
  ['NodeHasDiskPressure', 'Node node-1 status is now: NodeHasDiskPressure', 'Node.Pressure', 'High', { kind: 'Node' }],
  ['NodeHasMemoryPressure', 'Node node-1 status is now: NodeHasMemoryPressure', 'Node.Pressure', 'High', { kind: 'Node' }],
  ['NodeHasPIDPressure', 'x', 'Node.Pressure', 'High', { kind: 'Node' }],
  ['EvictionThresholdMet', 'Attempting to reclaim memory', 'Node.Pressure', 'High', { kind: 'Node' }],
  ['NodeHasSufficientMemory', 'x', 'Node.PressureResolved', 'Info', { kind: 'Node', type: 'Normal' }],
  ['NodeHasNoDiskPressure', 'x', 'Node.PressureResolved', 'Info', { kind: 'Node', type: 'Normal' }],
  ['NodeHasSufficientPID', 'x', 'Node.PressureResolved', 'Info', { kind: 'Node', type: 'Normal' }],
  ['Rebooted', 'Node node-1 has been rebooted, boot id: abc', 'Node.Rebooted', 'High', { kind: 'Node' }],
  ['NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods', 'Node.Lifecycle', 'Info', { kind: 'Node', type: 'Normal' }],
  ['InvalidDiskCapacity', 'invalid capacity 0 on image filesystem', 'Node.DiskInvalid', 'Medium', { kind: 'Node' }],
  ['FreeDiskSpaceFailed', 'failed to garbage collect required amount of images', 'Node.GarbageCollectionFailed', 'Medium', { kind: 'Node' }],
  ['ImageGCFailed', 'x', 'Node.GarbageCollectionFailed', 'Medium', { kind: 'Node' }],
  ['ContainerGCFailed', 'x', 'Node.GarbageCollectionFailed', 'Medium', { kind: 'Node' }],
  ['SystemOOM', 'System OOM encountered, victim process: java, pid: 1234', 'Node.SystemOOM', 'High', { kind: 'Node' }],
  ['OOMKilling', 'Out of memory: Killed process 1234 (java)', 'Pod.OOMKilled', 'High', { kind: 'Node', controller: 'kernel-monitor' }],
  ['Evicted', 'The node was low on resource: memory.', 'Pod.Evicted', 'High'],
  ['TaintManagerEviction', 'Marking for deletion Pod default/web-1', 'Pod.Evicted', 'High', { type: 'Normal', controller: 'taint-controller' }],
  ['TaintManagerEviction', 'Cancelling deletion of Pod default/web-1', 'Pod.Lifecycle', 'Info', { type: 'Normal', controller: 'taint-controller' }],
  ['RegisteredNode', 'Node node-1 event: Registered Node node-1 in Controller', 'Node.Lifecycle', 'Info', { kind: 'Node', type: 'Normal' }],
  ['RemovingNode', 'Node node-1 event: Removing Node node-1 from Controller', 'Node.Lifecycle', 'Info', { kind: 'Node', type: 'Normal' }],
  ['DeletingNode', 'Deleting node node-1 because it does not exist in the cloud provider', 'Node.Lifecycle', 'Info', { kind: 'Node', type: 'Normal' }],
  ['TerminatingEvictedPod', 'Pod was evicted', 'Pod.Evicted', 'Medium'],
  // scheduler
  ['Scheduled', 'Successfully assigned default/web-1 to node-1', 'Scheduling.Scheduled', 'Info', { type: 'Normal', controller: 'default-scheduler' }],
  ['FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.', 'Scheduling.Failed', 'Medium', { controller: 'default-scheduler' }],
  ['Preempted', 'Preempted by pod abc on node node-1', 'Pod.Preempted', 'Medium', { type: 'Normal', controller: 'default-scheduler' }],
  // workload controllers
  ['ScalingReplicaSet', 'Scaled up replica set web-7d9c8 to 3', 'Workload.Scaling', 'Info', { type: 'Normal', kind: 'Deployment' }],
  ['DeploymentRollback', 'Rolled back deployment "web" to revision 2', 'Workload.Rollback', 'Medium', { type: 'Normal', kind: 'Deployment' }],
  ['ProgressDeadlineExceeded', 'Deployment "web" has timed out progressing', 'Workload.RolloutStalled', 'High', { kind: 'Deployment' }],
  ['SuccessfulCreate', 'Created pod: web-7d9c8-abcde', 'Workload.Scaling', 'Info', { type: 'Normal', kind: 'ReplicaSet' }],
  ['SuccessfulDelete', 'Deleted pod: web-7d9c8-abcde', 'Workload.Scaling', 'Info', { type: 'Normal', kind: 'ReplicaSet' }],
  ['SuccessfulCreate', 'create Pod db-0 in StatefulSet db successful', 'Workload.Scaling', 'Info', { type: 'Normal', kind: 'StatefulSet' }],
  ['SuccessfulCreate', 'Created pod: agent-x2x9k', 'Workload.Scaling', 'Info', { type: 'Normal', kind: 'DaemonSet' }],
  ['FailedCreate', 'Error creating: pods "web-1" is forbidden: exceeded quota: compute, requested: cpu=1', 'Workload.QuotaExceeded', 'Medium', { kind: 'ReplicaSet' }],
  ['FailedCreate', 'Error creating: pods "web-1" is forbidden: error looking up service account default/web: serviceaccount "web" not found', 'Workload.CreateFailed', 'Medium', { kind: 'ReplicaSet' }],
  ['FailedCreate', 'Error creating: Job.batch "j" is invalid', 'Workload.CreateFailed', 'Medium', { kind: 'CronJob' }],
  ['RecreatingFailedPod', 'StatefulSet default/db is recreating failed Pod db-0', 'Workload.Recreating', 'Medium', { kind: 'StatefulSet' }],
  ['FailedPlacement', 'failed to place pod on "node-1": Node didn\'t have enough resource: cpu', 'Scheduling.Failed', 'Medium', { kind: 'DaemonSet' }],
  ['FailedDaemonPod', 'Found failed daemon pod default/agent-1 on node node-1, will try to kill it', 'Workload.CreateFailed', 'Medium', { kind: 'DaemonSet' }],
  ['OwnerRefInvalidNamespace', 'ownerRef [v1/ConfigMap, namespace: default] does not exist in namespace "default"', 'Workload.OwnerRefInvalid', 'Medium'],
  // jobs
  ['SuccessfulCreate', 'Created pod: job-1-abcde', 'Job.Started', 'Info', { type: 'Normal', kind: 'Job' }],
  ['Completed', 'Job completed', 'Job.Completed', 'Info', { type: 'Normal', kind: 'Job' }],
  ['BackoffLimitExceeded', 'Job has reached the specified backoff limit', 'Job.Failed', 'High', { kind: 'Job' }],
  ['DeadlineExceeded', 'Job was active longer than specified deadline', 'Job.Failed', 'High', { kind: 'Job' }],
  ['SuccessfulCreate', 'Created job nightly-28391', 'Job.Scheduled', 'Info', { type: 'Normal', kind: 'CronJob' }],
  ['SawCompletedJob', 'Saw completed job: nightly-28391, status: Complete', 'Job.Completed', 'Info', { type: 'Normal', kind: 'CronJob' }],
  ['SuccessfulDelete', 'Deleted job nightly-28300', 'Job.Cleanup', 'Info', { type: 'Normal', kind: 'CronJob' }],
  ['MissSchedule', 'Missed scheduled time to start a job', 'Job.MissedSchedule', 'Medium', { kind: 'CronJob' }],
  ['UnexpectedJob', 'Saw a job that the controller did not create or forgot', 'Job.Unexpected', 'Medium', { kind: 'CronJob' }],
  // HPA
  ['SuccessfulRescale', 'New size: 5; reason: cpu resource utilization above target', 'Workload.Scaling', 'Info', { type: 'Normal', kind: 'HorizontalPodAutoscaler' }],
  ['FailedGetResourceMetric', 'failed to get cpu utilization: unable to get metrics', 'Autoscaler.MetricsFailed', 'Medium', { kind: 'HorizontalPodAutoscaler' }],
  ['FailedComputeMetricsReplicas', 'invalid metrics (1 invalid out of 1)', 'Autoscaler.MetricsFailed', 'Medium', { kind: 'HorizontalPodAutoscaler' }],
  ['FailedGetScale', 'deployments/scale.apps "web" not found', 'Autoscaler.Failed', 'Medium', { kind: 'HorizontalPodAutoscaler' }],
  // endpoints, services
  ['FailedToUpdateEndpoint', 'Failed to update endpoint default/web: Operation cannot be fulfilled', 'Network.EndpointsFailed', 'Medium', { kind: 'Endpoints' }],
  ['FailedToUpdateEndpointSlices', 'Error updating Endpoint Slices for Service default/web', 'Network.EndpointsFailed', 'Medium', { kind: 'Service' }],
  ['EnsuringLoadBalancer', 'Ensuring load balancer', 'Network.LoadBalancer', 'Info', { type: 'Normal', kind: 'Service' }],
  ['EnsuredLoadBalancer', 'Ensured load balancer', 'Network.LoadBalancer', 'Info', { type: 'Normal', kind: 'Service' }],
  ['SyncLoadBalancerFailed', 'Error syncing load balancer: failed to ensure load balancer', 'Network.LoadBalancerFailed', 'High', { kind: 'Service' }],
  // namespace
  ['LeaderElection', 'control-plane-1_5c1e became leader', 'ControlPlane.LeaderElection', 'Info', { type: 'Normal', kind: 'Lease' }],
  ['Sync', 'Scheduled for sync', 'Network.IngressSync', 'Info', { type: 'Normal', kind: 'Ingress' }],
  ['AddedOrUpdated', 'Configuration for shop/web was added or updated', 'Network.IngressSync', 'Info', { type: 'Normal', kind: 'Ingress' }],
  ['Rejected', 'All hosts are taken by other resources', 'Network.IngressFailed', 'Medium', { type: 'Warning', kind: 'Ingress' }],
  ['Issuing', 'Issuing certificate as Secret does not exist', 'Certificate.Issuing', 'Info', { type: 'Normal', kind: 'Certificate' }],
  ['Failed', 'The certificate request has failed to complete and will be retried', 'Certificate.Failed', 'High', { type: 'Warning', kind: 'Certificate' }],
  ['NamespaceFinalizersRemaining', 'Some content in the namespace has finalizers remaining', 'Namespace.Failed', 'Medium', { kind: 'Namespace' }],
  // cluster-autoscaler
  ['TriggeredScaleUp', 'pod triggered scale-up: [{pool-1 3->4 (max: 10)}]', 'Autoscaler.ScaleUp', 'Info', { type: 'Normal', controller: 'cluster-autoscaler' }],
  ['NotTriggerScaleUp', "pod didn't trigger scale-up: 1 max node group size reached", 'Autoscaler.NoScaleUp', 'Medium', { type: 'Normal', controller: 'cluster-autoscaler' }],
  ['FailedToScaleUpGroup', 'Scale-up failed for group pool-1: quota exceeded', 'Autoscaler.ScaleUpFailed', 'High', { controller: 'cluster-autoscaler' }],
  ['ScaleDown', 'marked the node as toBeDeleted/unschedulable', 'Autoscaler.ScaleDown', 'Info', { type: 'Normal', kind: 'Node', controller: 'cluster-autoscaler' }],
  ['ScaleDownEmpty', 'Scale-down: removing empty node node-3', 'Autoscaler.ScaleDown', 'Info', { type: 'Normal', kind: 'Node', controller: 'cluster-autoscaler' }],
  ['ScaleDownFailed', 'failed to drain the node, aborting ScaleDown', 'Autoscaler.ScaleDownFailed', 'Medium', { kind: 'Node', controller: 'cluster-autoscaler' }],
  // fallbacks of reasons refined by the note above
  ['InspectFailed', 'Failed to inspect image "x": rpc error', 'Image.Invalid', 'Medium'],
  ['ErrImagePull', 'unexpected error', 'Image.PullFailed', 'Medium'],
  ['SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.', 'Pod.Lifecycle', 'Info', { type: 'Normal' }],
  ['Unhealthy', 'Probe errored: rpc error: code = Unknown', 'Probe.Failed', 'Medium'],
  ['FileSystemResizeSuccessful', 'MountVolume.NodeExpandVolume succeeded for volume "pvc-1"', 'Storage.Resize', 'Info', { type: 'Normal' }],
  ['ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!', 'Storage.BindingFailed', 'High', { kind: 'PersistentVolumeClaim' }],
  ['FailedDelete', 'Error deleting: pods "web-1" not found', 'Workload.DeleteFailed', 'Medium', { kind: 'ReplicaSet' }],
  ['Suspended', 'Job suspended', 'Job.Lifecycle', 'Info', { type: 'Normal', kind: 'Job' }],
  ['NamespaceCleanup', 'content removed', 'Namespace.Lifecycle', 'Info', { type: 'Normal', kind: 'Namespace' }],
  // last resort on the note
  ['SomeOperatorReason', 'container app was OOMKilled', 'Pod.OOMKilled', 'High'],
];

describe('default rules', () => {
  it.each(table)('%s "%s" -> %s', (reason, note, category, severity, extra) => {
    const c = fresh().classify(
      buildEvent({
        reason,
        note,
        type: extra?.type ?? 'Warning',
        reportingController: extra?.controller ?? 'kubelet',
        regarding: buildRef({ kind: extra?.kind ?? 'Pod' }),
      }),
    );
    expect(c.category).toBe(category);
    if (severity) expect(c.severity).toBe(severity);
    expect(c.ruleId).not.toBe('unknown');
    expect(c.escalated).toBe(false);
  });

  it('exercises every shipped rule with at least one row', () => {
    const classifier = fresh();
    const hit = new Set<string>();
    for (const [reason, note, , , extra] of table) {
      const e = buildEvent({ reason, note, type: extra?.type ?? 'Warning', reportingController: extra?.controller ?? 'kubelet', regarding: buildRef({ kind: extra?.kind ?? 'Pod' }) });
      hit.add(classifier.classify(e).ruleId);
    }
    const missing = rules.rules.map((r) => r.id).filter((id) => !hit.has(id));
    expect(missing).toEqual([]);
  });

  it('covers every reason family named in the brief with at least one row', () => {
    const reasons = new Set(table.map((r) => r[0]));
    for (const r of ['FailedScheduling', 'BackOff', 'Unhealthy', 'FailedMount', 'NodeNotReady', 'TriggeredScaleUp', 'ProvisioningFailed', 'SuccessfulRescale']) {
      expect(reasons.has(r)).toBe(true);
    }
  });

  it('gives every default rule a Domain.Condition category and a unique id', () => {
    const ids = new Set<string>();
    for (const r of rules.rules) {
      expect(r.category).toMatch(/^[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*$/);
      expect(ids.has(r.id)).toBe(false);
      ids.add(r.id);
    }
  });

  it('classifies unmatched events as Unknown and counts them', () => {
    const classifier = fresh();
    const normal = classifier.classify(buildEvent({ reason: 'SomethingNew', note: 'hello', type: 'Normal' }));
    const warning = classifier.classify(buildEvent({ reason: 'SomethingNew', note: 'hello', type: 'Warning' }));
    expect(normal).toEqual({ category: 'Unknown', severity: 'Info', ruleId: 'unknown', escalated: false });
    expect(warning).toEqual({ category: 'Unknown', severity: 'Medium', ruleId: 'unknown', escalated: false });
    classifier.classify(buildEvent({ reason: 'Pulled', type: 'Normal' }));
    expect(classifier.unknownCount()).toBe(2);
  });
});
