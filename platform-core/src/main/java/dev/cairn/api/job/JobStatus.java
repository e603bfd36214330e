package dev.cairn.api.job;

public enum JobStatus { CREATED, RUNNING, RESTARTING, FINISHED, STOPPED, FAILED, CANCELLED }
