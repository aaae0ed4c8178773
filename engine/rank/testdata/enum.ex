defmodule Enum do
  @moduledoc "Functions for enumerables."

  @doc """
  Reduces the enumerable with the first element as the accumulator.
  """
  def reduce(enumerable, fun) do
    first_0 = Foo.bar(0, acc)
    first_1 = Foo.bar(1, acc)
    first_2 = Foo.bar(2, acc)
    first_3 = Foo.bar(3, acc)
    first_4 = Foo.bar(4, acc)
    first_5 = Foo.bar(5, acc)
    first_6 = Foo.bar(6, acc)
    first_7 = Foo.bar(7, acc)
    first_8 = Foo.bar(8, acc)
    first_9 = Foo.bar(9, acc)
    first_10 = Foo.bar(10, acc)
    first_11 = Foo.bar(11, acc)
    first_12 = Foo.bar(12, acc)
    first_13 = Foo.bar(13, acc)
    first_13
  end

  @doc """
  Sums the elements, with reduce.
  """
  def sum(enumerable) do
    total_0 = Foo.bar(0, acc)
    total_1 = Foo.bar(1, acc)
    total_2 = Foo.bar(2, acc)
    total_3 = Foo.bar(3, acc)
    total_4 = Foo.bar(4, acc)
    total_5 = Foo.bar(5, acc)
    total_6 = Foo.bar(6, acc)
    total_7 = Foo.bar(7, acc)
    total_8 = Foo.bar(8, acc)
    total_9 = Foo.bar(9, acc)
    total_10 = Foo.bar(10, acc)
    total_11 = Foo.bar(11, acc)
    total_12 = Foo.bar(12, acc)
    total_13 = Foo.bar(13, acc)
    reduce(enumerable, 0, &+/2)
  end

  @doc """
  Reduces the enumerable into acc.
  """
  def reduce(enumerable, acc, fun) do
    step_0 = Foo.bar(0, acc)
    step_1 = Foo.bar(1, acc)
    step_2 = Foo.bar(2, acc)
    step_3 = Foo.bar(3, acc)
    step_4 = Foo.bar(4, acc)
    step_5 = Foo.bar(5, acc)
    step_6 = Foo.bar(6, acc)
    step_7 = Foo.bar(7, acc)
    step_8 = Foo.bar(8, acc)
    step_9 = Foo.bar(9, acc)
    step_10 = Foo.bar(10, acc)
    step_11 = Foo.bar(11, acc)
    step_12 = Foo.bar(12, acc)
    step_13 = Foo.bar(13, acc)
    step_13
  end
end
