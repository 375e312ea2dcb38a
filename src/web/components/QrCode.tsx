// A QR code drawn as SVG elements (no inline styles, so it passes the strict CSP), from uqr's
// module matrix.
import { encode } from "uqr";

export function QrCode({ text, label }: { text: string; label: string }) {
  const qr = encode(text, { ecc: "M", border: 2 });
  let d = "";
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  return (
    <svg className="qr" role="img" aria-label={label} viewBox={`0 0 ${qr.size} ${qr.size}`} shapeRendering="crispEdges" xmlns="http://www.w3.org/2000/svg">
      <rect width={qr.size} height={qr.size} fill="#ffffff" />
      <path d={d} fill="#000000" />
    </svg>
  );
}
