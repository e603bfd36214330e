package dev.cairn.api.state;

/**
 * State of an operator subtask, not scoped to a key. On rescale, list state is split
 * round-robin over the new subtasks; union list state is given whole to every subtask.
 */
public interface OperatorStateStore {
    <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) throws Exception;

    <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor) throws Exception;
}
