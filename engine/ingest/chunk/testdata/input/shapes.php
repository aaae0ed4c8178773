<?php

namespace App\Geometry;

use JsonSerializable;

# A hash comment with a { brace.
interface Shape
{
    public function area(): float;
}

trait Named
{
    public function name(): string
    {
        return static::class;
    }
}

/**
 * A circle.
 */
#[Immutable]
final class Circle implements Shape, JsonSerializable
{
    use Named;

    public function __construct(private float $radius)
    {
    }

    public function area(): float
    {
        return M_PI * $this->radius ** 2;
    }

    public static function unit(): self
    {
        return new Circle(1.0);
    }

    public function jsonSerialize(): mixed
    {
        return ['radius' => $this->radius, 'brace' => '}'];
    }
}

function total_area(array $shapes): float
{
    $sum = 0.0;
    foreach ($shapes as $shape) {
        $sum += $shape->area();
    }
    $f = function ($x) { return $x * 2; };
    return $f($sum) / 2;
}

echo total_area([Circle::unit()]);
