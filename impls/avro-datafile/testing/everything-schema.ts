// A writer schema with every kind of Avro type (recursive record, unions of named and logical
// branches, maps, fixed of size 0), shared by the encoder and decoder tests.
export const EVERYTHING = {
  type: 'record', name: 'Everything', namespace: 'org.test',
  fields: [
    { name: 'nothing', type: 'null' },
    { name: 'flag', type: 'boolean' },
    { name: 'small', type: 'int' },
    { name: 'big', type: 'long' },
    { name: 'stamp', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'ratio', type: 'float' },
    { name: 'exact', type: 'double' },
    { name: 'name', type: 'string' },
    { name: 'blob', type: 'bytes' },
    { name: 'id', type: { type: 'fixed', name: 'Id', size: 6 } },
    { name: 'empty', type: { type: 'fixed', name: 'Empty', size: 0 } },
    { name: 'colour', type: { type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'list', type: { type: 'array', items: 'long' } },
    { name: 'nulls', type: { type: 'array', items: 'null' } },
    { name: 'dict', type: { type: 'map', values: ['null', 'string', 'Colour'] } },
    { name: 'money', type: { type: 'bytes', logicalType: 'decimal', precision: 30, scale: 2 } },
    { name: 'next', type: ['null', 'Everything'] },
    { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'int' }, { name: 'y', type: ['string', 'Id', 'boolean', 'double'] }] } },
  ],
};
