/** An indicator's code above its name, the name linking to the indicator's page. */
import { Link } from 'react-router';
import { paths } from '../lib/paths.ts';

export function IndicatorName({ code, name }: { code: string; name: string }) {
  return (
    <span className="indicator-name">
      <span className="code">{code}</span>
      <Link to={paths.indicator(code)}>{name}</Link>
    </span>
  );
}
