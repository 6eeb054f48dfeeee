"""Keras variables are incremented by one atomic op inside the parameter-server step."""

import keras
import tensorflow as tf

from kclassics._keras import atomic_variable_updates as _atomic_variable_updates


def op_types(function):
    return {op.type for op in function.get_concrete_function().graph.get_operations()}


def test_increments_are_single_ops_while_the_step_is_traced():
    variable = keras.Variable(0.0)

    def increment():
        variable.assign_add(2.0)
        variable.assign_sub(0.5)

    @tf.function
    def atomic_step():
        with _atomic_variable_updates():
            increment()

    # Keras's own increment reads the variable, then writes the sum back: two ops another worker can come between
    assert {"ReadVariableOp", "AssignVariableOp"} <= op_types(tf.function(increment))
    assert {"AssignAddVariableOp", "AssignSubVariableOp"} <= op_types(atomic_step)
    assert "AssignVariableOp" not in op_types(atomic_step)
    atomic_step()
    assert float(variable.numpy()) == 1.5


def test_keras_methods_are_restored_after_the_trace():
    before = keras.Variable.assign_add, keras.Variable.assign_sub
    with _atomic_variable_updates():
        assert keras.Variable.assign_add is not before[0]
    assert (keras.Variable.assign_add, keras.Variable.assign_sub) == before
    assert "assign_add" not in vars(keras.Variable)
