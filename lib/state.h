/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file: svff's claim of which VM owns which VF.
 *
 * The identity of a VF is (PF address, VF index), never its own address,
 * IOMMU group or /dev/vfio number: those are looked up again each time.
 * The file is a claim, not the truth (sysfs and libvirt are).
 *
 * On disk: JSON (json-c), {"schema": 1, ...}, in <state_dir>/state,
 * replaced atomically; writers serialise on flock(<state_dir>/lock).
 */
#ifndef SVFF_STATE_H
#define SVFF_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "svff.h"

/* 2: per-VF resources are queues and vectors, with a PF-wide default
 * (1 had a queue count "qmax" only; still read). 3: a claim may carry
 * VF network settings ("net"). 4: a claim may be paused by the VFIO
 * release ("release"). 5: an operation may hold the identity of a PF it
 * took off the bus ("removed") and whether its command ran ("ran":
 * reprogram). 2 to 4 are still read. */
#define SVFF_STATE_SCHEMA 5
#define SVFF_STATE_FILE "state"
#define SVFF_LOCK_FILE "lock"

/* Bounds that keep a hostile or corrupt file from costing much. */
#define SVFF_STATE_MAX_BYTES (1 << 20)
#define SVFF_ADDR_LEN 16   /* "0000:3b:00.0" + NUL, rounded up */
#define SVFF_VM_NAME_LEN 256
#define SVFF_UUID_LEN 37

enum svff_vf_state {
	SVFF_VF_DETACHED = 0,  /* free: on vfio-pci, owned by no VM */
	SVFF_VF_ATTACHED,      /* in the VM's live configuration */
	SVFF_VF_PAUSED,        /* VM keeps its claim; host has released it */
};

/* A VF's network settings, set on its PF's netdev (NIC PFs, lib/vfnet.h):
 * only the fields named in `set` are asked for, or were reported. */
enum {
	SVFF_NET_MAC = 1 << 0,
	SVFF_NET_VLAN = 1 << 1,           /* 0: no VLAN */
	SVFF_NET_SPOOFCHK = 1 << 2,
	SVFF_NET_TRUST = 1 << 3,
	SVFF_NET_MAX_RATE = 1 << 4,       /* Mbit/s, 0: no limit */
	SVFF_NET_MIN_RATE = 1 << 5,
};
#define SVFF_NET_ALL 0x3f
#define SVFF_NET_RATE_MAX 10000000        /* Mbit/s: 10 Tbit/s */
struct svff_net {
	unsigned int set;
	unsigned char mac[6];
	unsigned int vlan;
	bool spoofchk, trust;
	unsigned int max_rate, min_rate;
};

/* A claim whose VF the VM's own QEMU released (the VFIO pause, lib/pause.h),
 * or is about to: recorded before the VM is suspended, so that a kill at
 * any step leaves a record of what svff did to the VM. */
#define SVFF_ALIAS_LEN 64
struct svff_release {
	char alias[SVFF_ALIAS_LEN];       /* the hostdev's alias (QEMU's id); "": none */
	char host[SVFF_ADDR_LEN];         /* the host address QEMU released */
	bool suspended;                   /* svff suspended the VM for it */
};

/* A VM's claim on one VF. Detached VFs have no claim record. */
struct svff_claim {
	unsigned int vf;                  /* index on its PF */
	enum svff_vf_state state;         /* ATTACHED or PAUSED */
	char vm_name[SVFF_VM_NAME_LEN];   /* for display and lookup */
	char vm_uuid[SVFF_UUID_LEN];      /* stable identity of the VM */
	char guest_addr[SVFF_ADDR_LEN];   /* guest PCI address, "" if unknown */
	bool persistent;                  /* also in the persistent config */
	bool op_paused;                   /* paused by the operation in flight
					     (so recover/unpause knows to undo it) */
	struct svff_net net;              /* given with the claim (attach --mac...) */
	struct svff_release rel;          /* paused by release (rel.alias set) */
};

/* A VF's share of its PF's resource pool (lib/res.h); 0: not set, the
 * backend's default applies. */
struct svff_res {
	unsigned int queues;              /* NVMe: VQ; QDMA: queue sets */
	unsigned int vectors;             /* interrupt vectors (MSI-X) */
};

/* The resources asked for one VF, overriding the PF's default. */
struct svff_vf_res {
	unsigned int vf;
	struct svff_res r;
};

struct svff_pf_state {
	char addr[SVFF_ADDR_LEN];         /* canonical "0000:3b:00.0" */
	unsigned int numvfs;              /* VF count svff configured */
	int saved_autoprobe;              /* sriov_drivers_autoprobe before init, -1 unknown */
	/* Sorted by VF. Each claim is allocated on its own, so that its
	 * address stays valid while others are added and removed: a caller
	 * may keep it for the life of a session, until it removes that one. */
	struct svff_claim **claims;
	size_t n_claims;
	bool res_off;                     /* resources left to another tool
					     (init --no-resources) */
	struct svff_res res_default;      /* asked for every VF (init) */
	struct svff_vf_res *res;          /* sorted by VF */
	size_t n_res;
};

/* What makes a PF the same device when it comes back to the bus after a
 * remove and a rescan (reprogram --remove): a new image may change it. */
struct svff_pf_id {
	unsigned int vendor, device;      /* vendor 0: no identity recorded */
	unsigned int sub_vendor, sub_device;
	unsigned int totalvfs;
	char driver[64];                  /* the PF's driver, "" when none */
	bool new_ids;                     /* the IDs may differ when it is back */
};

/* A multi-step operation in flight; recorded before its first step and
 * updated before each later one, removed when it completes. */
struct svff_op {
	char verb[16];                    /* "init", "reconf", "pause", ... */
	char pf[SVFF_ADDR_LEN];
	long pid;
	long long started;                /* unix seconds */
	int count_from;                   /* VF counts, -1 when not relevant */
	int count_to;
	unsigned int step;                /* index of the step about to run */
	char step_name[32];
	/* reprogram: its command was started, so recover never runs it
	 * again and goes on to the new count */
	bool ran;
	struct svff_pf_id removed;        /* the PF it took off the bus */
};

struct svff_state {
	int schema;
	struct svff_pf_state *pfs;
	size_t n_pfs;
	struct svff_op *op;               /* NULL when none in flight */
};

struct svff_state *svff_state_new(void);
void svff_state_free(struct svff_state *st);

/* Pure (de)serialisation, used by the store and by the fuzzer. parse
 * rejects, with a message saying what and where: bad JSON, a missing or
 * newer schema (-EPROTONOSUPPORT), wrong types, out-of-range values,
 * duplicate PFs or claims, invalid addresses. */
int svff_state_parse(const char *buf, size_t len, struct svff_state **out,
		     struct svff_error *err);
int svff_state_format(const struct svff_state *st, char **out);
/* A claim's network settings as the file and list -j hold them: only
 * the keys in n->set. */
struct json_object;
struct json_object *svff_net_json(const struct svff_net *n);

/* Lookups and edits (NULL / -ENOENT when absent). Lookups take a const
 * state and give what it holds, as strchr does. */
struct svff_pf_state *svff_state_pf(const struct svff_state *st, const char *pf);
struct svff_pf_state *svff_state_pf_add(struct svff_state *st, const char *pf);
int svff_state_pf_remove(struct svff_state *st, const char *pf);
struct svff_claim *svff_state_claim(const struct svff_pf_state *pf, unsigned int vf);
struct svff_claim *svff_state_claim_add(struct svff_pf_state *pf, unsigned int vf);
int svff_state_claim_remove(struct svff_pf_state *pf, unsigned int vf);
/* What VF vf is to get: its own entry, else the PF's default, field by
 * field (0 where neither says). */
struct svff_res svff_state_res(const struct svff_pf_state *pf, unsigned int vf);
/* Record r for VF vf (0 fields: the default); -ENOMEM. */
int svff_state_res_set(struct svff_pf_state *pf, unsigned int vf, const struct svff_res *r);
/* Drop the entries of VFs at or above count (reconf to fewer). */
void svff_state_res_trim(struct svff_pf_state *pf, unsigned int count);
/* Whether c is the claim of vm, named by name or UUID. */
bool svff_claim_of(const struct svff_claim *c, const char *vm);

/* The store: a locked handle on the state directory. open creates the
 * directory (0700) when create is set, refuses a symlinked directory or
 * file, takes the exclusive lock waiting up to wait_s seconds, and on
 * timeout fails with -EBUSY and a message naming the holder's pid. */
struct svff_store;
int svff_store_open(const char *dir, int wait_s, bool create,
		    struct svff_store **out, struct svff_error *err);
/* A missing file loads as an empty state; a corrupt one is an error and
 * the file is left untouched. */
int svff_store_load(struct svff_store *store, struct svff_state **out,
		    struct svff_error *err);
/* Atomic: temp file (0600) in the same directory, fsync, rename, fsync
 * of the directory. */
int svff_store_save(struct svff_store *store, const struct svff_state *st,
		    struct svff_error *err);
void svff_store_close(struct svff_store *store);

/* Read without taking the lock: never a torn file, because writers
 * replace it atomically (list takes the lock first when it can). A
 * missing directory or file gives an empty state. */
int svff_state_read(const char *dir, struct svff_state **out,
		    struct svff_error *err);

const char *svff_vf_state_name(enum svff_vf_state s);

#endif
