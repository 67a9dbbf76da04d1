/*
 * discovery.h - the discovery documents kubectl reads before anything else:
 * /version, /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION.
 * Answers in the legacy (unaggregated) shapes, which kubectl accepts when
 * the server does not offer aggregated discovery.
 */
#ifndef SIM_DISCOVERY_H
#define SIM_DISCOVERY_H

#include "http.h"

/* Kubernetes version the simulator claims to be. */
#define SIM_KUBE_MAJOR "1"
#define SIM_KUBE_MINOR "30"
#define SIM_KUBE_GIT_VERSION "v1.30.0"

/* Answer a discovery path (split into parts, nparts of them); 0 when the path is not discovery. */
int discovery_handle(struct req *r, char **parts, int nparts);

#endif
