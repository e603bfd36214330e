/**
 * What a placement plugin implements: it shares a job between platform processes by the
 * partitions of an input topic. Every process that runs the job joins a group; the group deals
 * the partitions out and moves them when a process joins, leaves or dies. Each partition is a
 * range of the job with its own state and snapshot ledger on shared storage, so a process
 * restores exactly the ranges it is given.
 */
@Export
@Version("1.0.0")
package dev.cairn.spi.placement;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
