// The recorded demo cluster state, embedded so `spiffe-registrar demo` runs from any directory.
// It is a copy of manifests/demo/recorded-state.json; a test checks that the two are equal.

/// A v1 List with the demo Namespace, its 12 ClusterSPIFFEIDs and 7 Running, Ready Pods, as the API
/// server returns them.
let recordedDemoState = #"""
    {
      "apiVersion": "v1",
      "kind": "List",
      "metadata": {
        "resourceVersion": ""
      },
      "items": [
        {
          "apiVersion": "v1",
          "kind": "Namespace",
          "metadata": {
            "name": "demo",
            "labels": {
              "kubernetes.io/metadata.name": "demo",
              "app.kubernetes.io/part-of": "serviceradar"
            },
            "uid": "514bcff9-bc06-4476-8d17-0b062bb3eb74",
            "resourceVersion": "4107",
            "creationTimestamp": "2026-11-30T09:12:00Z"
          },
          "spec": {
            "finalizers": [
              "kubernetes"
            ]
          },
          "status": {
            "phase": "Active"
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-core",
            "uid": "278d6c93-af1a-486c-8e0e-ba9e2975811f",
            "resourceVersion": "4114",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:01Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core",
            "admin": true,
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-core"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-datasvc",
            "uid": "21f87026-15c5-41e8-817e-4855b05bda75",
            "resourceVersion": "4121",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:02Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-datasvc"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-db-event-writer",
            "uid": "f7913fd1-d225-44f7-8287-fd60b06c2b80",
            "resourceVersion": "4128",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:03Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-db-event-writer",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-db-event-writer"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-flowgger",
            "uid": "49d0899d-19ce-4ce8-8f60-5523b0d57ccc",
            "resourceVersion": "4135",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:04Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-flowgger",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-flowgger"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-mapper",
            "uid": "41adfcd6-d853-4967-899b-4b8d50daf1e9",
            "resourceVersion": "4142",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:05Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-mapper",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-mapper"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-poller",
            "annotations": {
              "serviceradar.io/register": "true",
              "serviceradar.io/metadata": "{\"site\":\"demo\",\"role\":\"primary\"}"
            },
            "uid": "98dd898e-e675-45c8-816e-075bb1e92277",
            "resourceVersion": "4149",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:06Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-poller",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-poller"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-rperf-checker",
            "annotations": {
              "serviceradar.io/register": "true",
              "serviceradar.io/metadata": "{\"target\":\"rperf-server.demo.svc\"}"
            },
            "uid": "798bc084-95a4-48d1-87df-acd350fc9167",
            "resourceVersion": "4156",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:07Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-rperf-checker",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-rperf-client"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-agent",
            "annotations": {
              "serviceradar.io/register": "true"
            },
            "uid": "8eea1bcf-9f02-4e93-829d-7a251d731bdb",
            "resourceVersion": "4163",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:08Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-agent",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-agent"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-snmp-checker",
            "annotations": {
              "serviceradar.io/register": "true"
            },
            "uid": "e7616373-db0d-43a0-8e8c-90118461434f",
            "resourceVersion": "4170",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:09Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-snmp-checker",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-snmp-checker"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-sync",
            "uid": "d8524ba2-8d33-46ad-85d3-497b9a907962",
            "resourceVersion": "4177",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:10Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-sync",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-sync"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-trapd",
            "uid": "210ab6eb-e762-4847-8f6c-3255c4a4cd4b",
            "resourceVersion": "4184",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:11Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-trapd",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-trapd"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "spire.spiffe.io/v1alpha1",
          "kind": "ClusterSPIFFEID",
          "metadata": {
            "name": "serviceradar-zen",
            "uid": "2d2c99fe-1b3f-41d7-8a2f-edd3f3abea05",
            "resourceVersion": "4191",
            "generation": 1,
            "creationTimestamp": "2026-11-30T09:12:12Z"
          },
          "spec": {
            "spiffeIDTemplate": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-zen",
            "namespaceSelector": {
              "matchLabels": {
                "kubernetes.io/metadata.name": "demo"
              }
            },
            "podSelector": {
              "matchLabels": {
                "app": "serviceradar-zen"
              }
            }
          },
          "status": {
            "stats": {
              "namespacesSelected": 1,
              "podsSelected": 1,
              "entriesToSet": 1,
              "entriesMasked": 0,
              "entryFailures": 0,
              "namespacesIgnored": 3,
              "podsIgnored": 0
            }
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "serviceradar-poller-mkahedclhf-lekfj",
            "generateName": "serviceradar-poller-mkahedclhf-",
            "namespace": "demo",
            "uid": "cb36c7fc-6c7c-4da4-8a28-ca1533599c47",
            "resourceVersion": "4198",
            "creationTimestamp": "2026-11-30T09:13:00Z",
            "labels": {
              "app": "serviceradar-poller",
              "app.kubernetes.io/part-of": "serviceradar",
              "pod-template-hash": "mkahedclhf"
            },
            "ownerReferences": [
              {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "serviceradar-poller-mkahedclhf",
                "uid": "41e64931-5ae2-407d-8912-b6a0ce4163d7",
                "controller": true,
                "blockOwnerDeletion": true
              }
            ]
          },
          "spec": {
            "serviceAccountName": "serviceradar-poller",
            "shareProcessNamespace": true,
            "imagePullSecrets": [
              {
                "name": "ghcr-io-cred"
              }
            ],
            "containers": [
              {
                "name": "poller",
                "image": "ghcr.io/carverauto/serviceradar-poller:latest",
                "imagePullPolicy": "Always",
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar"
                  },
                  {
                    "name": "cert-data",
                    "mountPath": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "spire-agent-socket",
                    "mountPath": "/run/spire/sockets",
                    "readOnly": true
                  }
                ],
                "env": [
                  {
                    "name": "CONFIG_SOURCE",
                    "value": "kv"
                  },
                  {
                    "name": "CONFIG_PATH",
                    "value": "/etc/serviceradar/poller.json"
                  },
                  {
                    "name": "CORE_ADDRESS",
                    "value": "serviceradar-core:50052"
                  },
                  {
                    "name": "CORE_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "CORE_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "CORE_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core"
                  },
                  {
                    "name": "CORE_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "CORE_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "KV_ADDRESS",
                    "value": "serviceradar-datasvc:50057"
                  },
                  {
                    "name": "KV_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "KV_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "KV_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc"
                  },
                  {
                    "name": "KV_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "KV_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "LOG_LEVEL",
                    "value": "info"
                  }
                ],
                "resources": {
                  "limits": {
                    "cpu": "2",
                    "memory": "6Gi"
                  },
                  "requests": {
                    "cpu": "500m",
                    "memory": "2Gi"
                  }
                },
                "livenessProbe": {
                  "tcpSocket": {
                    "port": 50053
                  },
                  "initialDelaySeconds": 60,
                  "periodSeconds": 30,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                },
                "readinessProbe": {
                  "tcpSocket": {
                    "port": 50053
                  },
                  "initialDelaySeconds": 30,
                  "periodSeconds": 10,
                  "timeoutSeconds": 3,
                  "failureThreshold": 3
                }
              }
            ],
            "volumes": [
              {
                "name": "serviceradar-config",
                "configMap": {
                  "name": "serviceradar-config"
                }
              },
              {
                "name": "cert-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-cert-data"
                }
              },
              {
                "name": "spire-agent-socket",
                "hostPath": {
                  "path": "/run/spire/sockets",
                  "type": "DirectoryOrCreate"
                }
              }
            ],
            "nodeName": "demo-worker-1",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "serviceAccount": "serviceradar-poller"
          },
          "status": {
            "phase": "Running",
            "hostIP": "10.0.0.11",
            "podIP": "10.244.1.20",
            "podIPs": [
              {
                "ip": "10.244.1.20"
              }
            ],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:00Z",
            "conditions": [
              {
                "type": "PodReadyToStartContainers",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:00Z"
              },
              {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:00Z"
              },
              {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:10Z"
              },
              {
                "type": "ContainersReady",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:10Z"
              },
              {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:00Z"
              }
            ],
            "containerStatuses": [
              {
                "name": "poller",
                "image": "ghcr.io/carverauto/serviceradar-poller:latest",
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "containerID": "containerd://eeb4f1b5f0eb8b77e3dc9b93e1534afb442e38d65613f23bbeccd8820d585408",
                "state": {
                  "running": {
                    "startedAt": "2026-11-30T09:14:10Z"
                  }
                }
              }
            ]
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "serviceradar-agent-cdggdkhchj-flmcg",
            "generateName": "serviceradar-agent-cdggdkhchj-",
            "namespace": "demo",
            "uid": "7e37494a-e73b-43e7-8834-44bb3467850a",
            "resourceVersion": "4205",
            "creationTimestamp": "2026-11-30T09:13:01Z",
            "labels": {
              "app": "serviceradar-agent",
              "app.kubernetes.io/part-of": "serviceradar",
              "pod-template-hash": "cdggdkhchj"
            },
            "ownerReferences": [
              {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "serviceradar-agent-cdggdkhchj",
                "uid": "e3af8034-18ec-402a-8e02-6fca475e1cd4",
                "controller": true,
                "blockOwnerDeletion": true
              }
            ]
          },
          "spec": {
            "hostNetwork": true,
            "dnsPolicy": "ClusterFirstWithHostNet",
            "serviceAccountName": "serviceradar-agent",
            "imagePullSecrets": [
              {
                "name": "ghcr-io-cred"
              }
            ],
            "initContainers": [
              {
                "name": "init-checkers",
                "image": "busybox:1.36",
                "imagePullPolicy": "Always",
                "command": [
                  "sh",
                  "-c",
                  " mkdir -p /etc/serviceradar/checkers/sweep && cp /config/snmp.json /etc/serviceradar/checkers/snmp.json && cp /config/snmp-checker.json /etc/serviceradar/checkers/snmp-checker.json && cp /config/external.json /etc/serviceradar/checkers/external.json && cp /config/sweep.json /etc/serviceradar/checkers/sweep/sweep.json && cp /config/sync-checker.json /etc/serviceradar/checkers/sync-checker.json && cp /config/rperf-checker.json /etc/serviceradar/checkers/rperf-checker.json && cp /config/mapper-checker.json /etc/serviceradar/checkers/mapper-checker.json && cp /config/zen-checker.json /etc/serviceradar/checkers/zen-checker.json && cp /config/flowgger-checker.json /etc/serviceradar/checkers/flowgger-checker.json && cp /config/trapd-checker.json /etc/serviceradar/checkers/trapd-checker.json && cp /config/db-event-writer-checker.json /etc/serviceradar/checkers/db-event-writer-checker.json "
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/config"
                  },
                  {
                    "name": "checkers-dir",
                    "mountPath": "/etc/serviceradar/checkers"
                  }
                ]
              }
            ],
            "containers": [
              {
                "name": "agent",
                "image": "ghcr.io/carverauto/serviceradar-agent:latest",
                "imagePullPolicy": "Always",
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar"
                  },
                  {
                    "name": "checkers-dir",
                    "mountPath": "/etc/serviceradar/checkers"
                  },
                  {
                    "name": "cert-data",
                    "mountPath": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "spire-agent-socket",
                    "mountPath": "/run/spire/sockets",
                    "readOnly": true
                  }
                ],
                "env": [
                  {
                    "name": "CONFIG_SOURCE",
                    "value": "kv"
                  },
                  {
                    "name": "CONFIG_PATH",
                    "value": "/etc/serviceradar/agent.json"
                  },
                  {
                    "name": "CORE_ADDRESS",
                    "value": "serviceradar-core:50052"
                  },
                  {
                    "name": "CORE_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "CORE_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "CORE_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core"
                  },
                  {
                    "name": "CORE_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "CORE_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "KV_ADDRESS",
                    "value": "serviceradar-datasvc:50057"
                  },
                  {
                    "name": "KV_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "KV_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "KV_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc"
                  },
                  {
                    "name": "KV_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "KV_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "LOG_LEVEL",
                    "value": "info"
                  },
                  {
                    "name": "NODE_NAME",
                    "valueFrom": {
                      "fieldRef": {
                        "fieldPath": "spec.nodeName"
                      }
                    }
                  }
                ],
                "securityContext": {
                  "privileged": true
                },
                "resources": {
                  "limits": {
                    "cpu": "500m",
                    "memory": "2Gi"
                  },
                  "requests": {
                    "cpu": "250m",
                    "memory": "1Gi"
                  }
                }
              }
            ],
            "volumes": [
              {
                "name": "serviceradar-config",
                "configMap": {
                  "name": "serviceradar-config"
                }
              },
              {
                "name": "checkers-dir",
                "emptyDir": {}
              },
              {
                "name": "cert-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-cert-data"
                }
              },
              {
                "name": "spire-agent-socket",
                "hostPath": {
                  "path": "/run/spire/sockets",
                  "type": "DirectoryOrCreate"
                }
              }
            ],
            "nodeName": "demo-worker-2",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "serviceAccount": "serviceradar-agent"
          },
          "status": {
            "phase": "Running",
            "hostIP": "10.0.0.12",
            "podIP": "10.244.2.21",
            "podIPs": [
              {
                "ip": "10.244.2.21"
              }
            ],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:01Z",
            "conditions": [
              {
                "type": "PodReadyToStartContainers",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:01Z"
              },
              {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:01Z"
              },
              {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:11Z"
              },
              {
                "type": "ContainersReady",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:11Z"
              },
              {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:01Z"
              }
            ],
            "containerStatuses": [
              {
                "name": "agent",
                "image": "ghcr.io/carverauto/serviceradar-agent:latest",
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "containerID": "containerd://caabbc3b5585185ea97668e08510edf1cf6ca9e4a2ea6210b949be740192cf95",
                "state": {
                  "running": {
                    "startedAt": "2026-11-30T09:14:11Z"
                  }
                }
              }
            ]
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "serviceradar-snmp-checker-bfmefejmhc-dfjeb",
            "generateName": "serviceradar-snmp-checker-bfmefejmhc-",
            "namespace": "demo",
            "uid": "8057b755-6353-43fd-8033-bfa781059e56",
            "resourceVersion": "4212",
            "creationTimestamp": "2026-11-30T09:13:02Z",
            "labels": {
              "app": "serviceradar-snmp-checker",
              "app.kubernetes.io/part-of": "serviceradar",
              "pod-template-hash": "bfmefejmhc"
            },
            "ownerReferences": [
              {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "serviceradar-snmp-checker-bfmefejmhc",
                "uid": "75e17264-514b-4190-8d52-dd63acbcac65",
                "controller": true,
                "blockOwnerDeletion": true
              }
            ]
          },
          "spec": {
            "serviceAccountName": "serviceradar-snmp-checker",
            "imagePullSecrets": [
              {
                "name": "ghcr-io-cred"
              }
            ],
            "initContainers": [
              {
                "name": "init-checkers",
                "image": "busybox:1.36",
                "imagePullPolicy": "Always",
                "command": [
                  "sh",
                  "-c",
                  "mkdir -p /etc/serviceradar/checkers && cp /config/snmp.json /etc/serviceradar/checkers/snmp.json"
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/config"
                  },
                  {
                    "name": "checkers-dir",
                    "mountPath": "/etc/serviceradar/checkers"
                  }
                ]
              }
            ],
            "containers": [
              {
                "name": "snmp-checker",
                "image": "ghcr.io/carverauto/serviceradar-snmp-checker:latest",
                "imagePullPolicy": "Always",
                "ports": [
                  {
                    "containerPort": 50054,
                    "name": "grpc"
                  }
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar"
                  },
                  {
                    "name": "cert-data",
                    "mountPath": "/etc/serviceradar/certs",
                    "readOnly": true
                  },
                  {
                    "name": "checkers-dir",
                    "mountPath": "/etc/serviceradar/checkers"
                  },
                  {
                    "name": "spire-agent-socket",
                    "mountPath": "/run/spire/sockets",
                    "readOnly": true
                  }
                ],
                "env": [
                  {
                    "name": "CONFIG_SOURCE",
                    "value": "kv"
                  },
                  {
                    "name": "CONFIG_PATH",
                    "value": "/etc/serviceradar/checkers/snmp.json"
                  },
                  {
                    "name": "KV_ADDRESS",
                    "value": "serviceradar-datasvc:50057"
                  },
                  {
                    "name": "KV_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "KV_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "KV_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc"
                  },
                  {
                    "name": "KV_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "KV_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "SERVICERADAR_CONFIG_PATH",
                    "value": "/etc/serviceradar/snmp.json"
                  },
                  {
                    "name": "SERVICERADAR_CLOUD_ADDR",
                    "value": "serviceradar-core:50052"
                  },
                  {
                    "name": "SERVICERADAR_NODE_ID",
                    "valueFrom": {
                      "fieldRef": {
                        "fieldPath": "metadata.name"
                      }
                    }
                  }
                ],
                "resources": {
                  "limits": {
                    "cpu": "300m",
                    "memory": "128Mi"
                  },
                  "requests": {
                    "cpu": "100m",
                    "memory": "64Mi"
                  }
                }
              }
            ],
            "volumes": [
              {
                "name": "serviceradar-config",
                "configMap": {
                  "name": "serviceradar-config"
                }
              },
              {
                "name": "cert-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-cert-data"
                }
              },
              {
                "name": "checkers-dir",
                "emptyDir": {}
              },
              {
                "name": "spire-agent-socket",
                "hostPath": {
                  "path": "/run/spire/sockets",
                  "type": "DirectoryOrCreate"
                }
              }
            ],
            "nodeName": "demo-worker-1",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "serviceAccount": "serviceradar-snmp-checker"
          },
          "status": {
            "phase": "Running",
            "hostIP": "10.0.0.11",
            "podIP": "10.244.1.22",
            "podIPs": [
              {
                "ip": "10.244.1.22"
              }
            ],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:02Z",
            "conditions": [
              {
                "type": "PodReadyToStartContainers",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:02Z"
              },
              {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:02Z"
              },
              {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:12Z"
              },
              {
                "type": "ContainersReady",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:12Z"
              },
              {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:02Z"
              }
            ],
            "containerStatuses": [
              {
                "name": "snmp-checker",
                "image": "ghcr.io/carverauto/serviceradar-snmp-checker:latest",
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "containerID": "containerd://86cfead614a479e9242292abeb9b99a6eafc242bf8d356334a1823b1d8cb73f2",
                "state": {
                  "running": {
                    "startedAt": "2026-11-30T09:14:12Z"
                  }
                }
              }
            ]
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "serviceradar-rperf-client-cbgdbgdflc-leklc",
            "generateName": "serviceradar-rperf-client-cbgdbgdflc-",
            "namespace": "demo",
            "uid": "7fe0bca2-9ec5-4542-82b2-8675bf79f29f",
            "resourceVersion": "4219",
            "creationTimestamp": "2026-11-30T09:13:03Z",
            "labels": {
              "app": "serviceradar-rperf-client",
              "app.kubernetes.io/part-of": "serviceradar",
              "pod-template-hash": "cbgdbgdflc"
            },
            "ownerReferences": [
              {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "serviceradar-rperf-client-cbgdbgdflc",
                "uid": "f9bfdf09-c963-4ae4-8b98-25053d2ca27d",
                "controller": true,
                "blockOwnerDeletion": true
              }
            ]
          },
          "spec": {
            "serviceAccountName": "serviceradar-rperf-checker",
            "imagePullSecrets": [
              {
                "name": "ghcr-io-cred"
              }
            ],
            "initContainers": [
              {
                "name": "init-rperf-config",
                "image": "busybox:1.36",
                "imagePullPolicy": "Always",
                "command": [
                  "sh",
                  "-c",
                  "mkdir -p /etc/serviceradar/checkers && cp /config/rperf.json /etc/serviceradar/checkers/rperf.json"
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/config"
                  },
                  {
                    "name": "checkers-dir",
                    "mountPath": "/etc/serviceradar/checkers"
                  }
                ]
              }
            ],
            "containers": [
              {
                "name": "rperf-checker",
                "image": "ghcr.io/carverauto/serviceradar-rperf-client:latest",
                "imagePullPolicy": "Always",
                "ports": [
                  {
                    "containerPort": 50081,
                    "name": "grpc"
                  }
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar"
                  },
                  {
                    "name": "cert-data",
                    "mountPath": "/etc/serviceradar/certs",
                    "readOnly": true
                  },
                  {
                    "name": "checkers-dir",
                    "mountPath": "/etc/serviceradar/checkers"
                  },
                  {
                    "name": "spire-agent-socket",
                    "mountPath": "/run/spire/sockets",
                    "readOnly": true
                  }
                ],
                "env": [
                  {
                    "name": "CONFIG_SOURCE",
                    "value": "kv"
                  },
                  {
                    "name": "CONFIG_PATH",
                    "value": "/etc/serviceradar/checkers/rperf.json"
                  },
                  {
                    "name": "KV_ADDRESS",
                    "value": "serviceradar-datasvc:50057"
                  },
                  {
                    "name": "KV_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "KV_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "KV_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc"
                  },
                  {
                    "name": "KV_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "KV_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "RUST_LOG",
                    "value": "info"
                  }
                ],
                "resources": {
                  "requests": {
                    "cpu": "100m",
                    "memory": "128Mi"
                  },
                  "limits": {
                    "cpu": "500m",
                    "memory": "512Mi"
                  }
                },
                "livenessProbe": {
                  "tcpSocket": {
                    "port": 50081
                  },
                  "initialDelaySeconds": 30,
                  "periodSeconds": 30,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                },
                "readinessProbe": {
                  "tcpSocket": {
                    "port": 50081
                  },
                  "initialDelaySeconds": 15,
                  "periodSeconds": 10,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                }
              }
            ],
            "volumes": [
              {
                "name": "serviceradar-config",
                "configMap": {
                  "name": "serviceradar-config"
                }
              },
              {
                "name": "cert-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-cert-data"
                }
              },
              {
                "name": "checkers-dir",
                "emptyDir": {}
              },
              {
                "name": "spire-agent-socket",
                "hostPath": {
                  "path": "/run/spire/sockets",
                  "type": "DirectoryOrCreate"
                }
              }
            ],
            "nodeName": "demo-worker-2",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "serviceAccount": "serviceradar-rperf-checker"
          },
          "status": {
            "phase": "Running",
            "hostIP": "10.0.0.12",
            "podIP": "10.244.2.23",
            "podIPs": [
              {
                "ip": "10.244.2.23"
              }
            ],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:03Z",
            "conditions": [
              {
                "type": "PodReadyToStartContainers",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:03Z"
              },
              {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:03Z"
              },
              {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:13Z"
              },
              {
                "type": "ContainersReady",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:13Z"
              },
              {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:03Z"
              }
            ],
            "containerStatuses": [
              {
                "name": "rperf-checker",
                "image": "ghcr.io/carverauto/serviceradar-rperf-client:latest",
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "containerID": "containerd://4c279f0a51395eb68ffbe80bb6e1c93f5187941caca80c45512f7e8e77bd24a3",
                "state": {
                  "running": {
                    "startedAt": "2026-11-30T09:14:13Z"
                  }
                }
              }
            ]
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "serviceradar-core-fbfbcfhbdh-ckffg",
            "generateName": "serviceradar-core-fbfbcfhbdh-",
            "namespace": "demo",
            "uid": "5d8c8eb4-bfe6-4bef-8d57-37aff3f099d1",
            "resourceVersion": "4226",
            "creationTimestamp": "2026-11-30T09:13:04Z",
            "labels": {
              "app": "serviceradar-core",
              "app.kubernetes.io/part-of": "serviceradar",
              "pod-template-hash": "fbfbcfhbdh"
            },
            "ownerReferences": [
              {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "serviceradar-core-fbfbcfhbdh",
                "uid": "558a3b46-a567-42f9-804f-e6d7fb0b58d6",
                "controller": true,
                "blockOwnerDeletion": true
              }
            ]
          },
          "spec": {
            "serviceAccountName": "serviceradar-core",
            "imagePullSecrets": [
              {
                "name": "ghcr-io-cred"
              }
            ],
            "initContainers": [
              {
                "name": "init-core-jwks",
                "image": "ghcr.io/carverauto/serviceradar-kong-config:latest",
                "imagePullPolicy": "Always",
                "command": [
                  "/bin/sh",
                  "-c",
                  "set -e\nTEMPLATE=/etc/serviceradar/core.json\nTARGET=/var/lib/serviceradar/core.json\nmkdir -p /var/lib/serviceradar\n\nPRESERVE_PRIV=\"\"\nPRESERVE_KID=\"\"\nif [ -f \"$TARGET\" ]; then\n  PRESERVE_PRIV=$(jq -r '.auth.jwt_private_key_pem // empty' \"$TARGET\")\n  PRESERVE_KID=$(jq -r '.auth.jwt_key_id // empty' \"$TARGET\")\nfi\n\ncp \"$TEMPLATE\" \"${TARGET}.tmp\"\n\nif [ -n \"$PRESERVE_PRIV\" ]; then\n  jq --arg priv \"$PRESERVE_PRIV\" --arg kid \"$PRESERVE_KID\" '\n    .auth = (.auth // {}) |\n    .auth.jwt_algorithm = \"RS256\" |\n    .auth.jwt_private_key_pem = $priv |\n    (if $kid != \"\" then .auth.jwt_key_id = $kid else . end)\n  ' \"${TARGET}.tmp\" > \"$TARGET\"\n  rm -f \"${TARGET}.tmp\"\nelse\n  mv \"${TARGET}.tmp\" \"$TARGET\"\nfi\n\nserviceradar-cli generate-jwt-keys --file \"$TARGET\" --bits 2048\n"
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar",
                    "readOnly": true
                  },
                  {
                    "name": "core-data",
                    "mountPath": "/var/lib/serviceradar"
                  }
                ]
              }
            ],
            "containers": [
              {
                "name": "core",
                "image": "ghcr.io/carverauto/serviceradar-core:latest",
                "imagePullPolicy": "Always",
                "command": [
                  "/bin/bash"
                ],
                "args": [
                  "-c",
                  "cp /etc/serviceradar/core-k8s-init.sh /tmp/core-k8s-init.sh\nchmod +x /tmp/core-k8s-init.sh\nexec /tmp/core-k8s-init.sh\n"
                ],
                "ports": [
                  {
                    "containerPort": 8090,
                    "name": "http"
                  },
                  {
                    "containerPort": 50052,
                    "name": "grpc"
                  },
                  {
                    "containerPort": 9090,
                    "name": "metrics"
                  }
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar"
                  },
                  {
                    "name": "core-data",
                    "mountPath": "/var/lib/serviceradar"
                  },
                  {
                    "name": "cert-data",
                    "mountPath": "/etc/serviceradar/certs",
                    "readOnly": true
                  },
                  {
                    "name": "cnpg-ca",
                    "mountPath": "/etc/serviceradar/cnpg",
                    "readOnly": true
                  },
                  {
                    "name": "spire-agent-socket",
                    "mountPath": "/run/spire/sockets",
                    "readOnly": true
                  }
                ],
                "env": [
                  {
                    "name": "INIT_DB",
                    "value": "true"
                  },
                  {
                    "name": "CONFIG_SOURCE",
                    "value": "kv"
                  },
                  {
                    "name": "CONFIG_PATH",
                    "value": "/var/lib/serviceradar/core.json"
                  },
                  {
                    "name": "CORE_ADDRESS",
                    "value": "serviceradar-core:50052"
                  },
                  {
                    "name": "CORE_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "CORE_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "CORE_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core"
                  },
                  {
                    "name": "CORE_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "CORE_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "KUBERNETES_NAMESPACE",
                    "valueFrom": {
                      "fieldRef": {
                        "fieldPath": "metadata.namespace"
                      }
                    }
                  },
                  {
                    "name": "CNPG_PORT",
                    "value": "5432"
                  },
                  {
                    "name": "CNPG_DATABASE",
                    "value": "telemetry"
                  },
                  {
                    "name": "CNPG_USERNAME",
                    "value": "postgres"
                  },
                  {
                    "name": "CNPG_SSLMODE",
                    "value": "verify-full"
                  },
                  {
                    "name": "CNPG_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "CNPG_PASSWORD",
                    "valueFrom": {
                      "secretKeyRef": {
                        "name": "cnpg-superuser",
                        "key": "password"
                      }
                    }
                  },
                  {
                    "name": "WAIT_FOR_CNPG",
                    "value": "true"
                  },
                  {
                    "name": "API_KEY",
                    "valueFrom": {
                      "secretKeyRef": {
                        "name": "serviceradar-secrets",
                        "key": "api-key"
                      }
                    }
                  },
                  {
                    "name": "JWT_SECRET",
                    "valueFrom": {
                      "secretKeyRef": {
                        "name": "serviceradar-secrets",
                        "key": "jwt-secret"
                      }
                    }
                  },
                  {
                    "name": "EDGE_ONBOARDING_ENCRYPTION_KEY",
                    "valueFrom": {
                      "secretKeyRef": {
                        "name": "serviceradar-secrets",
                        "key": "edge-onboarding-key"
                      }
                    }
                  },
                  {
                    "name": "AUTH_PROVIDER",
                    "value": "local"
                  },
                  {
                    "name": "OAUTH_ENABLED",
                    "value": "false"
                  },
                  {
                    "name": "ADMIN_BCRYPT_HASH",
                    "valueFrom": {
                      "secretKeyRef": {
                        "name": "serviceradar-secrets",
                        "key": "admin-bcrypt-hash"
                      }
                    }
                  },
                  {
                    "name": "KV_ADDRESS",
                    "value": "serviceradar-datasvc:50057"
                  },
                  {
                    "name": "KV_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "KV_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "KV_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc"
                  },
                  {
                    "name": "KV_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "KV_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  }
                ],
                "resources": {
                  "limits": {
                    "cpu": "3",
                    "memory": "8Gi"
                  },
                  "requests": {
                    "cpu": "1",
                    "memory": "4Gi"
                  }
                },
                "livenessProbe": {
                  "tcpSocket": {
                    "port": 8090
                  },
                  "initialDelaySeconds": 180,
                  "periodSeconds": 30,
                  "timeoutSeconds": 10,
                  "failureThreshold": 3
                },
                "readinessProbe": {
                  "tcpSocket": {
                    "port": 8090
                  },
                  "initialDelaySeconds": 60,
                  "periodSeconds": 10,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                }
              }
            ],
            "volumes": [
              {
                "name": "serviceradar-config",
                "configMap": {
                  "name": "serviceradar-config"
                }
              },
              {
                "name": "core-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-core-data"
                }
              },
              {
                "name": "cert-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-cert-data"
                }
              },
              {
                "name": "cnpg-ca",
                "secret": {
                  "secretName": "cnpg-ca"
                }
              },
              {
                "name": "spire-agent-socket",
                "hostPath": {
                  "path": "/run/spire/sockets",
                  "type": "DirectoryOrCreate"
                }
              }
            ],
            "nodeName": "demo-worker-1",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "serviceAccount": "serviceradar-core"
          },
          "status": {
            "phase": "Running",
            "hostIP": "10.0.0.11",
            "podIP": "10.244.1.24",
            "podIPs": [
              {
                "ip": "10.244.1.24"
              }
            ],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:04Z",
            "conditions": [
              {
                "type": "PodReadyToStartContainers",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:04Z"
              },
              {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:04Z"
              },
              {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:14Z"
              },
              {
                "type": "ContainersReady",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:14Z"
              },
              {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:04Z"
              }
            ],
            "containerStatuses": [
              {
                "name": "core",
                "image": "ghcr.io/carverauto/serviceradar-core:latest",
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "containerID": "containerd://df9f35d8c80b644341129175bfa7d0ab9ba7570369be2181d134be429b5c7b9b",
                "state": {
                  "running": {
                    "startedAt": "2026-11-30T09:14:14Z"
                  }
                }
              }
            ]
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "serviceradar-sync-bcdjddgkaf-bchda",
            "generateName": "serviceradar-sync-bcdjddgkaf-",
            "namespace": "demo",
            "uid": "ae9b765e-d7e7-4e66-8b04-f7cb504696a1",
            "resourceVersion": "4233",
            "creationTimestamp": "2026-11-30T09:13:05Z",
            "labels": {
              "app": "serviceradar-sync",
              "app.kubernetes.io/part-of": "serviceradar",
              "pod-template-hash": "bcdjddgkaf"
            },
            "ownerReferences": [
              {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "serviceradar-sync-bcdjddgkaf",
                "uid": "95f03e48-f89d-46a7-838c-5f85ae773cf9",
                "controller": true,
                "blockOwnerDeletion": true
              }
            ]
          },
          "spec": {
            "serviceAccountName": "serviceradar-sync",
            "imagePullSecrets": [
              {
                "name": "ghcr-io-cred"
              }
            ],
            "containers": [
              {
                "name": "sync",
                "image": "ghcr.io/carverauto/serviceradar-sync:latest",
                "imagePullPolicy": "Always",
                "ports": [
                  {
                    "containerPort": 50058,
                    "name": "grpc"
                  }
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar"
                  },
                  {
                    "name": "cert-data",
                    "mountPath": "/etc/serviceradar/certs",
                    "readOnly": true
                  },
                  {
                    "name": "spire-agent-socket",
                    "mountPath": "/run/spire/sockets",
                    "readOnly": true
                  }
                ],
                "env": [
                  {
                    "name": "CONFIG_SOURCE",
                    "value": "kv"
                  },
                  {
                    "name": "CONFIG_PATH",
                    "value": "/etc/serviceradar/sync.json"
                  },
                  {
                    "name": "CORE_ADDRESS",
                    "value": "serviceradar-core:50052"
                  },
                  {
                    "name": "CORE_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "CORE_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "CORE_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core"
                  },
                  {
                    "name": "CORE_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "CORE_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "KV_ADDRESS",
                    "value": "serviceradar-datasvc:50057"
                  },
                  {
                    "name": "KV_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "KV_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "KV_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc"
                  },
                  {
                    "name": "KV_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "KV_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "LOG_LEVEL",
                    "value": "info"
                  }
                ],
                "resources": {
                  "requests": {
                    "cpu": "500m",
                    "memory": "3Gi"
                  },
                  "limits": {
                    "cpu": "2",
                    "memory": "8Gi"
                  }
                },
                "livenessProbe": {
                  "tcpSocket": {
                    "port": 50058
                  },
                  "initialDelaySeconds": 60,
                  "periodSeconds": 30,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                },
                "readinessProbe": {
                  "tcpSocket": {
                    "port": 50058
                  },
                  "initialDelaySeconds": 30,
                  "periodSeconds": 15,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                }
              }
            ],
            "volumes": [
              {
                "name": "serviceradar-config",
                "configMap": {
                  "name": "serviceradar-config"
                }
              },
              {
                "name": "cert-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-cert-data"
                }
              },
              {
                "name": "spire-agent-socket",
                "hostPath": {
                  "path": "/run/spire/sockets",
                  "type": "DirectoryOrCreate"
                }
              }
            ],
            "nodeName": "demo-worker-2",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "serviceAccount": "serviceradar-sync"
          },
          "status": {
            "phase": "Running",
            "hostIP": "10.0.0.12",
            "podIP": "10.244.2.25",
            "podIPs": [
              {
                "ip": "10.244.2.25"
              }
            ],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:05Z",
            "conditions": [
              {
                "type": "PodReadyToStartContainers",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:05Z"
              },
              {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:05Z"
              },
              {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:15Z"
              },
              {
                "type": "ContainersReady",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:15Z"
              },
              {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:05Z"
              }
            ],
            "containerStatuses": [
              {
                "name": "sync",
                "image": "ghcr.io/carverauto/serviceradar-sync:latest",
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "containerID": "containerd://65b61566428dd46e40b7b983920842d68f6fe5426d3af9f6ca29850839323b59",
                "state": {
                  "running": {
                    "startedAt": "2026-11-30T09:14:15Z"
                  }
                }
              }
            ]
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": {
            "name": "serviceradar-mapper-eblabamccf-cfegc",
            "generateName": "serviceradar-mapper-eblabamccf-",
            "namespace": "demo",
            "uid": "d2421cb3-4af1-4f52-8445-54a18dc0f14a",
            "resourceVersion": "4240",
            "creationTimestamp": "2026-11-30T09:13:06Z",
            "labels": {
              "app": "serviceradar-mapper",
              "app.kubernetes.io/part-of": "serviceradar",
              "pod-template-hash": "eblabamccf"
            },
            "ownerReferences": [
              {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "serviceradar-mapper-eblabamccf",
                "uid": "7bca6005-ddf7-4481-849e-bced7782f795",
                "controller": true,
                "blockOwnerDeletion": true
              }
            ]
          },
          "spec": {
            "serviceAccountName": "serviceradar-mapper",
            "imagePullSecrets": [
              {
                "name": "ghcr-io-cred"
              }
            ],
            "containers": [
              {
                "name": "mapper",
                "image": "ghcr.io/carverauto/serviceradar-mapper:latest",
                "imagePullPolicy": "Always",
                "ports": [
                  {
                    "containerPort": 50056,
                    "name": "grpc"
                  }
                ],
                "volumeMounts": [
                  {
                    "name": "serviceradar-config",
                    "mountPath": "/etc/serviceradar"
                  },
                  {
                    "name": "cert-data",
                    "mountPath": "/etc/serviceradar/certs",
                    "readOnly": true
                  },
                  {
                    "name": "mapper-data",
                    "mountPath": "/var/lib/serviceradar"
                  },
                  {
                    "name": "spire-agent-socket",
                    "mountPath": "/run/spire/sockets",
                    "readOnly": true
                  }
                ],
                "env": [
                  {
                    "name": "CONFIG_SOURCE",
                    "value": "kv"
                  },
                  {
                    "name": "CONFIG_PATH",
                    "value": "/etc/serviceradar/mapper.json"
                  },
                  {
                    "name": "CORE_ADDRESS",
                    "value": "serviceradar-core:50052"
                  },
                  {
                    "name": "CORE_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "CORE_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "CORE_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-core"
                  },
                  {
                    "name": "CORE_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "CORE_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "KV_ADDRESS",
                    "value": "serviceradar-datasvc:50057"
                  },
                  {
                    "name": "KV_SEC_MODE",
                    "value": "spiffe"
                  },
                  {
                    "name": "KV_TRUST_DOMAIN",
                    "value": "carverauto.dev"
                  },
                  {
                    "name": "KV_SERVER_SPIFFE_ID",
                    "value": "spiffe://carverauto.dev/ns/demo/sa/serviceradar-datasvc"
                  },
                  {
                    "name": "KV_WORKLOAD_SOCKET",
                    "value": "unix:/run/spire/sockets/agent.sock"
                  },
                  {
                    "name": "KV_CERT_DIR",
                    "value": "/etc/serviceradar/certs"
                  },
                  {
                    "name": "WAIT_FOR_OTEL",
                    "value": "true"
                  },
                  {
                    "name": "OTEL_HOST",
                    "value": "serviceradar-otel"
                  },
                  {
                    "name": "OTEL_PORT",
                    "value": "4317"
                  }
                ],
                "resources": {
                  "limits": {
                    "cpu": "1000m",
                    "memory": "1Gi"
                  },
                  "requests": {
                    "cpu": "200m",
                    "memory": "256Mi"
                  }
                },
                "livenessProbe": {
                  "tcpSocket": {
                    "port": 50056
                  },
                  "initialDelaySeconds": 60,
                  "periodSeconds": 30,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                },
                "readinessProbe": {
                  "tcpSocket": {
                    "port": 50056
                  },
                  "initialDelaySeconds": 30,
                  "periodSeconds": 15,
                  "timeoutSeconds": 5,
                  "failureThreshold": 3
                }
              }
            ],
            "volumes": [
              {
                "name": "serviceradar-config",
                "configMap": {
                  "name": "serviceradar-config"
                }
              },
              {
                "name": "cert-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-cert-data"
                }
              },
              {
                "name": "mapper-data",
                "persistentVolumeClaim": {
                  "claimName": "serviceradar-mapper-data"
                }
              },
              {
                "name": "spire-agent-socket",
                "hostPath": {
                  "path": "/run/spire/sockets",
                  "type": "DirectoryOrCreate"
                }
              }
            ],
            "nodeName": "demo-worker-1",
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
            "serviceAccount": "serviceradar-mapper"
          },
          "status": {
            "phase": "Running",
            "hostIP": "10.0.0.11",
            "podIP": "10.244.1.26",
            "podIPs": [
              {
                "ip": "10.244.1.26"
              }
            ],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:06Z",
            "conditions": [
              {
                "type": "PodReadyToStartContainers",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:06Z"
              },
              {
                "type": "Initialized",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:06Z"
              },
              {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:16Z"
              },
              {
                "type": "ContainersReady",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:14:16Z"
              },
              {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": null,
                "lastTransitionTime": "2026-11-30T09:13:06Z"
              }
            ],
            "containerStatuses": [
              {
                "name": "mapper",
                "image": "ghcr.io/carverauto/serviceradar-mapper:latest",
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": 0,
                "containerID": "containerd://204824e11fd9a4a508156941fc896555a2c6a34e873d65520cd9095627fddb33",
                "state": {
                  "running": {
                    "startedAt": "2026-11-30T09:14:16Z"
                  }
                }
              }
            ]
          }
        }
      ]
    }
    """#
