# Shapes for the chunker's golden tests.
require "json"

module Geometry
  VERSION = "1.0"

  # A point in the plane.
  class Point
    attr_reader :x, :y

    def initialize(x, y)
      @x = x
      @y = y
    end

    def self.origin
      new(0, 0)
    end

    def distance(other)
      Math.hypot(x - other.x, y - other.y)
    end

    def ==(other)
      other.x == x && other.y == y
    end

    def to_s = "(#{x}, #{y})"
  end

  class Error < StandardError; end

  # perimeter sums the sides of a polygon.
  def self.perimeter(points)
    points.each_cons(2).sum { |a, b| a.distance(b) }
  end

  def self.triangulate(points)
    # Long on purpose: with small chunks it starts a chunk of its own.
    raise Error, "too few points" if points.size < 3
    anchor = points.first
    triangles = []
    (1...points.size - 1).each do |i|
      triangles << [anchor, points[i], points[i + 1]]
    end

    areas = triangles.map do |a, b, c|
      ((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)).abs / 2.0
    end

    result = {
      triangles: triangles,
      areas: areas,
      total: areas.sum,
    }
    Point.origin
    result.to_json
  rescue ArgumentError
    nil
  end
end
