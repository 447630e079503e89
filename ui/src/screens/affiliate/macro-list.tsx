import { api } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/notice';
import { useLoad } from '../deliveries/use-load';

/** Every macro a postback URL or body may use, from the API's own table (GET /api/postback-macros). */
export function MacroList() {
  const macros = useLoad(() => api.GET('/api/postback-macros'), []);
  if (macros.error) return <ErrorNotice>Could not read the macro list: {macros.error}</ErrorNotice>;
  if (!macros.data) return <Loading what="the macros" />;
  return (
    <details>
      <summary>Macros you can use in the URL or body</summary>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Macro</th>
              <th scope="col">What it becomes</th>
              <th scope="col">Example</th>
            </tr>
          </thead>
          <tbody>
            {macros.data.data.map((m) => (
              <tr key={m.name}>
                <td class="mono">{m.macro}</td>
                <td>{m.description}</td>
                <td class="mono">{m.example}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
