/**
 * Floors coloured by a field interpolated on the GPU from the sensors' live
 * values: inverse-distance weighting (power 2) per fragment, over the sensors
 * of the fragment's own zone only (walls separate the air of two rooms).
 *
 * WebSocket frames still carry only sensor values: the positions, the values
 * and each zone's range of sensors go to the GPU as small float textures
 * (one texel per sensor; one per zone with its first sensor and count), and
 * the colour scale as a 256-texel lookup texture. A value change rewrites one
 * texel. The material is three's Lambert shader with the field spliced in
 * before lighting, so floors keep the scene's light, fog and colour management.
 * Fragments of a zone without a live sensor of the quantity keep their vertex
 * colour (the zone's value, or neutral).
 */

import {
  type Color,
  DataTexture,
  DoubleSide,
  FloatType,
  LinearFilter,
  NearestFilter,
  RGBAFormat,
  ShaderLib,
  ShaderMaterial,
  SRGBColorSpace,
  UniformsUtils,
  UnsignedByteType,
  Vector2,
} from 'three';
import { type ColorScale, colorAt } from '../scales';

/** Texels per row of the sensor and zone textures. */
const ROW = 256;
/** Sensors a fragment weighs at most (per zone); more in one zone are ignored beyond this. */
export const MAX_SENSORS_PER_ZONE = 64;
/** Softening radius (m): a fragment right under a sensor takes its value without a singularity. */
const SOFTENING_M2 = 0.25;

export interface FieldSensor {
  id: string;
  zone: string;
  /** World x and z (three.js frame, Y up). */
  x: number;
  z: number;
}

/** Where each sensor's texel goes: sensors grouped by zone, zones in slot order. */
export function fieldLayout(
  sensors: FieldSensor[],
  zoneSlots: Map<string, number>,
): { order: FieldSensor[]; ranges: Map<number, { start: number; count: number }> } {
  const byZone = new Map<number, FieldSensor[]>();
  for (const sensor of sensors) {
    const slot = zoneSlots.get(sensor.zone);
    if (slot === undefined) continue;
    const list = byZone.get(slot) ?? [];
    if (list.length < MAX_SENSORS_PER_ZONE) list.push(sensor);
    byZone.set(slot, list);
  }
  const order: FieldSensor[] = [];
  const ranges = new Map<number, { start: number; count: number }>();
  for (const slot of [...byZone.keys()].sort((a, b) => a - b)) {
    const list = byZone.get(slot) as FieldSensor[];
    ranges.set(slot, { start: order.length, count: list.length });
    order.push(...list);
  }
  return { order, ranges };
}

function floatTexture(texels: number): DataTexture {
  const height = Math.max(1, Math.ceil(texels / ROW));
  const texture = new DataTexture(new Float32Array(ROW * height * 4), ROW, height, RGBAFormat, FloatType);
  texture.minFilter = NearestFilter;
  texture.magFilter = NearestFilter;
  texture.needsUpdate = true;
  return texture;
}

const VERTEX = ShaderLib.lambert.vertexShader
  .replace(
    '#include <common>',
    '#include <common>\nattribute float zoneSlot;\nvarying float vZoneSlot;\nvarying vec2 vFieldXZ;',
  )
  .replace(
    '#include <begin_vertex>',
    '#include <begin_vertex>\nvZoneSlot = zoneSlot;\nvFieldXZ = (modelMatrix * vec4(transformed, 1.0)).xz;',
  );

const FRAGMENT = ShaderLib.lambert.fragmentShader
  .replace(
    '#include <common>',
    `#include <common>
uniform float uFieldOn;
uniform sampler2D uSensors;
uniform sampler2D uZones;
uniform sampler2D uLut;
uniform vec2 uRange;
uniform vec3 uNeutral;
uniform float uMute;
varying float vZoneSlot;
varying vec2 vFieldXZ;`,
  )
  .replace(
    '#include <color_fragment>',
    `#include <color_fragment>
if (uFieldOn > 0.5) {
  int slot = int(vZoneSlot + 0.5);
  vec4 zr = texelFetch(uZones, ivec2(slot % ${ROW}, slot / ${ROW}), 0);
  int start = int(zr.x + 0.5);
  int count = int(zr.y + 0.5);
  float wsum = 0.0;
  float vsum = 0.0;
  for (int i = 0; i < ${MAX_SENSORS_PER_ZONE}; i++) {
    if (i >= count) break;
    int k = start + i;
    vec4 s = texelFetch(uSensors, ivec2(k % ${ROW}, k / ${ROW}), 0);
    vec2 d = vFieldXZ - s.xy;
    float w = s.w / (dot(d, d) + ${SOFTENING_M2.toFixed(2)});
    wsum += w;
    vsum += w * s.z;
  }
  if (wsum > 0.0) {
    float t = clamp((vsum / wsum - uRange.x) / max(uRange.y - uRange.x, 1e-6), 0.0, 1.0);
    vec3 c = texture2D(uLut, vec2(t * ${((ROW - 1) / ROW).toFixed(6)} + ${(0.5 / ROW).toFixed(6)}, 0.5)).rgb;
    diffuseColor.rgb = mix(c, uNeutral, uMute);
  }
}`,
  );

export class SensorField {
  readonly material: ShaderMaterial;
  private sensors: DataTexture;
  private zones: DataTexture;
  private readonly lut: DataTexture;
  /** Texel index per sensor id in the current layout. */
  private readonly texel = new Map<string, number>();

  /** `zoneSlots`: the index each zone's floor vertices carry in their `zoneSlot` attribute. */
  constructor(
    private readonly zoneSlots: Map<string, number>,
    neutral: Color,
    mute: number,
  ) {
    this.sensors = floatTexture(1);
    this.zones = floatTexture(Math.max(1, zoneSlots.size));
    this.lut = new DataTexture(new Uint8Array(ROW * 4), ROW, 1, RGBAFormat, UnsignedByteType);
    this.lut.colorSpace = SRGBColorSpace;
    this.lut.minFilter = LinearFilter;
    this.lut.magFilter = LinearFilter;
    this.material = new ShaderMaterial({
      uniforms: UniformsUtils.merge([
        ShaderLib.lambert.uniforms,
        {
          uFieldOn: { value: 0 },
          uSensors: { value: null },
          uZones: { value: null },
          uLut: { value: null },
          uRange: { value: new Vector2(0, 1) },
          uNeutral: { value: neutral.clone() },
          uMute: { value: mute },
        },
      ]),
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      lights: true,
      fog: true,
      vertexColors: true,
      side: DoubleSide,
    });
    // Textures are assigned after the merge: UniformsUtils.merge clones values.
    this.material.uniforms.uSensors!.value = this.sensors;
    this.material.uniforms.uZones!.value = this.zones;
    this.material.uniforms.uLut!.value = this.lut;
  }

  /** Interpolate these sensors (one kind), or switch the field off with null. */
  setSensors(sensors: FieldSensor[] | null): void {
    this.material.uniforms.uFieldOn!.value = sensors === null ? 0 : 1;
    this.texel.clear();
    if (sensors === null) return;
    const { order, ranges } = fieldLayout(sensors, this.zoneSlots);
    if (order.length > this.sensors.image.width * this.sensors.image.height) {
      this.sensors.dispose();
      this.sensors = floatTexture(order.length);
      this.material.uniforms.uSensors!.value = this.sensors;
    }
    const data = this.sensors.image.data as Float32Array;
    data.fill(0);
    order.forEach((sensor, i) => {
      this.texel.set(sensor.id, i);
      data.set([sensor.x, sensor.z, 0, 0], i * 4);
    });
    this.sensors.needsUpdate = true;
    const zones = this.zones.image.data as Float32Array;
    zones.fill(0);
    for (const [slot, range] of ranges) zones.set([range.start, range.count], slot * 4);
    this.zones.needsUpdate = true;
  }

  /** A sensor's latest value; null (no reading, offline) leaves it out of the weighting. */
  setValue(id: string, value: number | null): void {
    const i = this.texel.get(id);
    if (i === undefined) return;
    const data = this.sensors.image.data as Float32Array;
    const valid = value !== null && Number.isFinite(value);
    data[i * 4 + 2] = valid ? value : 0;
    data[i * 4 + 3] = valid ? 1 : 0;
    this.sensors.needsUpdate = true;
  }

  /** The colour scale, sampled into the lookup texture. */
  setScale(scale: ColorScale): void {
    const data = this.lut.image.data as Uint8Array;
    for (let i = 0; i < ROW; i += 1) {
      const [r, g, b] = colorAt(scale, scale.min + ((scale.max - scale.min) * i) / (ROW - 1));
      data.set([Math.round(r * 255), Math.round(g * 255), Math.round(b * 255), 255], i * 4);
    }
    this.lut.needsUpdate = true;
    (this.material.uniforms.uRange!.value as Vector2).set(scale.min, scale.max);
  }

  setNeutral(neutral: Color): void {
    (this.material.uniforms.uNeutral!.value as Color).copy(neutral);
  }

  get active(): boolean {
    return this.material.uniforms.uFieldOn!.value === 1;
  }
}
