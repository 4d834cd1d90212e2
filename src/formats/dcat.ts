/**
 * A DCAT-AP catalogue in JSON-LD (DCAT-AP 2: dcat:Catalog → dcat:Dataset → dcat:Distribution), which
 * CKAN's DCAT harvester (ckanext-dcat) and other open-data portals read. Titles and descriptions are
 * given in Vietnamese and English; every dataset and distribution carries the licence.
 */

export const CC_BY_4 = 'http://creativecommons.org/licenses/by/4.0/';
export const LICENCE_TEXT = {
  vi: 'Dữ liệu mở theo giấy phép Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0): được tự do sao chép, phân phối, chỉnh sửa và sử dụng, kể cả cho mục đích thương mại, với điều kiện ghi nguồn.',
  en: 'Open data under the Creative Commons Attribution 4.0 International licence (CC BY 4.0): free to copy, redistribute, adapt and use, commercially too, with attribution.',
};

export interface DcatDistribution {
  url: string;
  mediaType: string;
  format: string;
  title_vi: string;
  title_en: string;
}

export interface DcatDataset {
  id: string;
  identifier: string;
  title_vi: string;
  title_en: string;
  description_vi: string;
  description_en: string;
  keywords: string[];
  modified: string | null;
  landingPage?: string;
  temporal?: { start: string; end: string } | null;
  distributions: DcatDistribution[];
}

export interface DcatCatalog {
  url: string;
  homepage: string;
  title_vi: string;
  title_en: string;
  description_vi: string;
  description_en: string;
  publisher: string;
  modified: string | null;
  datasets: DcatDataset[];
}

const lang = (vi: string, en: string) => [
  { '@value': vi, '@language': 'vi' },
  { '@value': en, '@language': 'en' },
];

const date = (iso: string | null) => (iso ? { '@value': iso.slice(0, 10), '@type': 'xsd:date' } : undefined);

export function dcatJsonLd(c: DcatCatalog): Record<string, unknown> {
  const publisher = { '@type': 'foaf:Agent', 'foaf:name': c.publisher };
  const license = { '@id': CC_BY_4 };
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
      adms: 'http://www.w3.org/ns/adms#',
    },
    '@id': c.url,
    '@type': 'dcat:Catalog',
    'dct:title': lang(c.title_vi, c.title_en),
    'dct:description': lang(c.description_vi, c.description_en),
    'dct:publisher': publisher,
    'dct:license': license,
    'dct:rights': lang(LICENCE_TEXT.vi, LICENCE_TEXT.en),
    'dct:language': [
      { '@id': 'http://publications.europa.eu/resource/authority/language/VIE' },
      { '@id': 'http://publications.europa.eu/resource/authority/language/ENG' },
    ],
    'foaf:homepage': { '@id': c.homepage },
    ...(c.modified ? { 'dct:modified': date(c.modified) } : {}),
    'dcat:dataset': c.datasets.map((d) => ({
      '@id': d.id,
      '@type': 'dcat:Dataset',
      'dct:identifier': d.identifier,
      'dct:title': lang(d.title_vi, d.title_en),
      'dct:description': lang(d.description_vi, d.description_en),
      'dcat:keyword': d.keywords,
      'dct:publisher': publisher,
      'dct:license': license,
      'dct:accessRights': { '@id': 'http://publications.europa.eu/resource/authority/access-right/PUBLIC' },
      ...(d.modified ? { 'dct:modified': date(d.modified) } : {}),
      ...(d.landingPage ? { 'dcat:landingPage': { '@id': d.landingPage } } : {}),
      ...(d.temporal
        ? {
            'dct:temporal': {
              '@type': 'dct:PeriodOfTime',
              'dcat:startDate': date(d.temporal.start),
              'dcat:endDate': date(d.temporal.end),
            },
          }
        : {}),
      'dcat:distribution': d.distributions.map((x) => ({
        '@id': x.url,
        '@type': 'dcat:Distribution',
        'dct:title': lang(x.title_vi, x.title_en),
        'dcat:accessURL': { '@id': x.url },
        'dcat:downloadURL': { '@id': x.url },
        'dcat:mediaType': { '@id': `http://www.iana.org/assignments/media-types/${x.mediaType}` },
        'dct:format': x.format,
        'dct:license': license,
      })),
    })),
  };
}
